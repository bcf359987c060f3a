import pytest

from tests.api.conftest import anon, api_as  # noqa: F401 - fixtures
from tests.factories import MembershipFactory, ProductFactory, UserFactory


@pytest.fixture
def product(db):
    return ProductFactory()


@pytest.fixture
def brand_staff(product):
    staff = UserFactory()
    MembershipFactory(brand=product.brand, user=staff)
    return staff
