import pytest

from tests.api.conftest import Api
from tests.orders.conftest import buyer, shop  # noqa: F401 - fixtures
from tribe.accounts.services import issue_token


@pytest.fixture
def api_as(client):
    def make(user):
        return Api(client, issue_token(user) if user is not None else None)

    return make
