"""Social test helpers: JSON API clients (reusing the API tests' client) with fast password hashing."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, error_of  # noqa: F401 - error_of re-exported for the test modules
from tribe.accounts.services import issue_token


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def anon(client):
    return Api(client)


@pytest.fixture
def api_as(client):
    def make(user):
        return Api(client, issue_token(user))

    return make
