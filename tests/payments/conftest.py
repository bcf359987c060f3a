import socket

import pytest
from tests.orders.conftest import buyer, shop  # noqa: F401 - fixtures shared with the orders tests
from tests.payments.providers import alipay_config, wechat_config


class NetworkBlocked(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Payment tests are offline: any Python-level connection attempt fails the test loudly."""

    def refuse(*args, **kwargs):
        raise NetworkBlocked(f"network access attempted: {args[1:] if len(args) > 1 else args}")

    real_getaddrinfo = socket.getaddrinfo

    def local_only(host, *args, **kwargs):  # the test database may be resolved by name; nothing else
        if host in ("localhost", "127.0.0.1", "::1", None):
            return real_getaddrinfo(host, *args, **kwargs)
        raise NetworkBlocked(f"name lookup attempted: {host}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", local_only)


@pytest.fixture
def gateways(settings):
    """The platform's Alipay and WeChat Pay accounts, configured with the tests' keys."""
    settings.TRIBE_PAYMENT_GATEWAYS = {"dummy": {}, "alipay": alipay_config(), "wechat": wechat_config()}
    return settings.TRIBE_PAYMENT_GATEWAYS
