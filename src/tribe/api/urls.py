from . import errors
from .base import JsonParser, TribeAPI

api = TribeAPI(
    title="Tribe API",
    version="1",
    description=(
        "Tribe social-commerce API.\n\n"
        "Auth: `Authorization: Bearer <token>` (POST /auth/token), or the site session for our own pages.\n\n"
        'Lists are paged: `{"items", "count", "page", "page_size", "pages"}`.\n\n'
        "Money is a string with two decimals (CNY), never a float.\n\n"
        'Errors: `{"error": {"code", "message", "fields"}}` with the right 4xx.'
    ),
    urls_namespace="api",
    parser=JsonParser(),
)
errors.install(api)

from . import routers  # noqa: E402,F401  (registers the routers on `api`)
