"""Who may do what through the API: each role × each write → the expected status, and nothing stored when
refused."""

from decimal import Decimal

import pytest

from tests.images import png_upload
from tribe.brands.models import Brand, Store
from tribe.catalog.models import Bundle, Product, ProductImage, Sku

ROLES = ["anonymous", "consumer", "staff_of_a", "staff_of_b", "platform_operator"]

ACTIONS = {
    "create_product": lambda api, w: api.post(
        "/products",
        {
            "store": w.store_a.slug,
            "category": w.category.slug,
            "name": "新品",
            "skus": [{"price": "9.90", "stock": 1}],
            "published": True,
        },
    ),
    "update_product": lambda api, w: api.patch(f"/products/{w.product_a.id}", {"name": "改名"}),
    "update_sku": lambda api, w: api.patch(f"/skus/{w.sku_a.id}", {"price": "19.90", "stock": 2}),
    "upload_image": lambda api, w: api.upload(f"/products/{w.product_a.id}/images", file=png_upload()),
    "edit_station": lambda api, w: api.patch(f"/brands/{w.brand_a.slug}", {"tagline": "新口号"}),
    "create_store": lambda api, w: api.post(
        f"/brands/{w.brand_a.slug}/stores", {"name": "二店", "slug": "a-2"}
    ),
    "create_bundle": lambda api, w: api.post(
        "/bundles", {"name": "出院套装", "slug": "going-home", "items": [{"product_id": w.product_a.id}]}
    ),
}

# role → action → status. Brand staff manage their own brand; bundles span brands, so operators curate them.
EXPECTED = {
    "anonymous": dict.fromkeys(ACTIONS, 401),
    "consumer": dict.fromkeys(ACTIONS, 403),
    "staff_of_b": dict.fromkeys(ACTIONS, 403),
    "staff_of_a": {
        "create_product": 201,
        "update_product": 200,
        "update_sku": 200,
        "upload_image": 201,
        "edit_station": 200,
        "create_store": 201,
        "create_bundle": 403,
    },
    "platform_operator": {
        "create_product": 201,
        "update_product": 200,
        "update_sku": 200,
        "upload_image": 201,
        "edit_station": 200,
        "create_store": 201,
        "create_bundle": 201,
    },
}


def snapshot(world) -> tuple:
    """Everything any of the actions could write."""
    return (
        Product.objects.count(),
        Product.objects.get(pk=world.product_a.pk).name,
        Sku.objects.filter(pk=world.sku_a.pk).values_list("price", "stock").get(),
        ProductImage.objects.count(),
        Brand.objects.get(pk=world.brand_a.pk).tagline,
        Store.objects.count(),
        Bundle.objects.count(),
    )


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_permission_table(anon, api_as, world, role, action):
    # given
    users = {
        "consumer": world.consumer,
        "staff_of_a": world.staff_a,
        "staff_of_b": world.staff_b,
        "platform_operator": world.operator,
    }
    api = anon if role == "anonymous" else api_as(users[role])
    before = snapshot(world)
    # when
    response = ACTIONS[action](api, world)
    # then
    expected = EXPECTED[role][action]
    assert response.status_code == expected, response.content
    if expected >= 400:
        body = response.json()
        assert body["error"]["code"] == {401: "not_authenticated", 403: "forbidden"}[expected]
        assert snapshot(world) == before
    else:
        assert snapshot(world) != before


def test_table_covers_every_role_and_action():
    assert set(EXPECTED) == set(ROLES)
    assert all(set(row) == set(ACTIONS) for row in EXPECTED.values())


def test_sku_price_set_by_staff_is_stored_exactly(api_as, world):
    api_as(world.staff_a).patch(f"/skus/{world.sku_a.id}", {"price": "19.90"})
    assert Sku.objects.get(pk=world.sku_a.pk).price == Decimal("19.90")
