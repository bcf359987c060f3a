from tests.orders.conftest import buyer, shop  # noqa: F401 - fixtures
