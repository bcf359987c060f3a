import pytest

from tests.api.conftest import anon, api_as  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _no_redis(settings):
    settings.REDIS_URL = ""
