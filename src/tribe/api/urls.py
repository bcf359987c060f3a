from ninja import NinjaAPI

from . import errors

api = NinjaAPI(
    title="Tribe API",
    version="1",
    description="Tribe social-commerce API. Errors: {\"error\": {\"code\", \"message\", \"fields\"}}.",
    urls_namespace="api",
)
errors.install(api)

from . import routers  # noqa: E402,F401  (registers the routers on `api`)
