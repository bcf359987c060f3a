"""Two brands (A with a store and a product, B) and one user per console role."""

import pytest
from django.test import Client
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    MembershipFactory,
    ProductFactory,
    StoreFactory,
    UserFactory,
)

from tribe.brands.models import Brand, BrandMembership


@pytest.fixture
def brand_a(db):
    return BrandFactory(name="品牌甲", slug="brand-a", kind=Brand.Kind.FLAGSHIP)


@pytest.fixture
def brand_b(db):
    return BrandFactory(name="品牌乙", slug="brand-b", kind=Brand.Kind.FLAGSHIP)


@pytest.fixture
def store_a(brand_a):
    return StoreFactory(brand=brand_a, name="甲旗舰店", slug="store-a")


@pytest.fixture
def category(db):
    return CategoryFactory(name="童装", slug="kids")


@pytest.fixture
def product_a(store_a, category):
    """Published, one SKU at 99.00 with stock 10."""
    return ProductFactory(store=store_a, category=category, name="纯棉连体衣")


@pytest.fixture
def staff_a(brand_a):
    return MembershipFactory(brand=brand_a, role=BrandMembership.Role.OPERATOR).user


@pytest.fixture
def owner_a(brand_a):
    return MembershipFactory(brand=brand_a, role=BrandMembership.Role.OWNER).user


@pytest.fixture
def staff_b(brand_b):
    return MembershipFactory(brand=brand_b, role=BrandMembership.Role.OPERATOR).user


@pytest.fixture
def consumer(db):
    return UserFactory()


@pytest.fixture
def client_for():
    """A test client signed in as `user` (anonymous for None)."""

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def staff_client(client_for, staff_a):
    return client_for(staff_a)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Users are created by the dozen here; a real password hash per user would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
