"""Who can edit which brand's station, stores and products: every role × every action."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import BrandFactory, CategoryFactory, MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tests.images import png_upload
from tribe.brands.models import Brand, BrandMembership
from tribe.brands.services import add_news, create_store, update_station
from tribe.catalog.services import add_product_image, create_product, set_published, update_product, update_sku
from tribe.core.errors import NotAuthenticated, PermissionDenied

ALLOWED, FORBIDDEN, ANON = "allowed", "forbidden", "unauthenticated"

ROLES = {
    "anonymous": ANON,
    "consumer": FORBIDDEN,
    "operator_of_a": ALLOWED,
    "owner_of_a": ALLOWED,
    "staff_of_group_of_a": ALLOWED,  # a hub's staff manage its sub-brands
    "staff_of_b": FORBIDDEN,
    "platform_operator": ALLOWED,
}

ACTIONS = {
    "update_station": lambda actor, w: update_station(actor, w["brand"], tagline="新口号"),
    "add_news": lambda actor, w: add_news(actor, w["brand"], title="上新"),
    "create_store": lambda actor, w: create_store(actor, w["brand"], name="二店"),
    "create_product": lambda actor, w: create_product(
        actor, w["store"], name="新品", category=w["category"], skus=[{"price": "9.90", "stock": 1}]
    ),
    "update_product": lambda actor, w: update_product(actor, w["product"], name="改名"),
    "update_sku": lambda actor, w: update_sku(actor, w["product"].skus.first(), price="19.90"),
    "upload_image": lambda actor, w: add_product_image(actor, w["product"], png_upload()),
    "unpublish": lambda actor, w: set_published(actor, w["product"], False),
}


@pytest.fixture
def world(db):
    group = BrandFactory(kind=Brand.Kind.HUB)
    brand_a = BrandFactory(parent=group)
    brand_b = BrandFactory()
    store = StoreFactory(brand=brand_a)
    actors = {
        "anonymous": AnonymousUser(),
        "consumer": UserFactory(),
        "operator_of_a": MembershipFactory(brand=brand_a).user,
        "owner_of_a": MembershipFactory(brand=brand_a, role=BrandMembership.Role.OWNER).user,
        "staff_of_group_of_a": MembershipFactory(brand=group).user,
        "staff_of_b": MembershipFactory(brand=brand_b).user,
        "platform_operator": UserFactory(is_staff=True),
    }
    return {"brand": brand_a, "store": store, "category": CategoryFactory(),
            "product": ProductFactory(store=store), "actors": actors}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role", sorted(ROLES))
def test_permission_table(world, role, action):
    actor = world["actors"][role]
    expected = ROLES[role]
    if expected == ALLOWED:
        assert ACTIONS[action](actor, world) is not None
    elif expected == ANON:
        with pytest.raises(NotAuthenticated):
            ACTIONS[action](actor, world)
    else:
        with pytest.raises(PermissionDenied):
            ACTIONS[action](actor, world)
