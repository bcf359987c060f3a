"""The console's permission table: every role × every console action on brand A → expected outcome.

OK means the page answered as for its own staff and the database changed; LOGIN means a redirect to the
login page and FORBIDDEN a 403 page, both with the database untouched.
"""

import pytest
from django.test import Client
from django.urls import reverse
from tests.factories import BrandFactory, MembershipFactory, UserFactory
from tests.images import png_upload

from tribe.brands.models import Brand, BrandMembership, Store
from tribe.catalog.models import Product, ProductImage, Sku

OK, LOGIN, FORBIDDEN = "ok", "login", "forbidden"
NO = FORBIDDEN

# fmt: off
ACTIONS = ["view_dashboard", "edit_station", "create_store", "create_product", "edit_product", "update_sku",
           "upload_image", "publish"]
TABLE = {
    #                       dashboard station store  product edit   sku    image  publish
    "anonymous":           (LOGIN,    LOGIN,  LOGIN, LOGIN,  LOGIN, LOGIN, LOGIN, LOGIN),
    "consumer":            (NO,       NO,     NO,    NO,     NO,    NO,    NO,    NO),
    "staff_of_a":          (OK,       OK,     OK,    OK,     OK,    OK,    OK,    OK),
    "owner_of_a":          (OK,       OK,     OK,    OK,     OK,    OK,    OK,    OK),
    "staff_of_group_of_a": (OK,       OK,     OK,    OK,     OK,    OK,    OK,    OK),  # hub → sub-brand
    "staff_of_b":          (NO,       NO,     NO,    NO,     NO,    NO,    NO,    NO),
    "platform_operator":   (OK,       OK,     OK,    OK,     OK,    OK,    OK,    OK),
}
# fmt: on

CASES = [
    (role, action, outcome)
    for role, row in TABLE.items()
    for action, outcome in zip(ACTIONS, row, strict=True)
]


@pytest.fixture
def world(brand_a, store_a, product_a, category):
    group = BrandFactory(name="集团", slug="group", kind=Brand.Kind.HUB)
    Brand.objects.filter(pk=brand_a.pk).update(parent=group)
    brand_b = BrandFactory(slug="brand-b")
    users = {
        "anonymous": None,
        "consumer": UserFactory(),
        "staff_of_a": MembershipFactory(brand=brand_a).user,
        "owner_of_a": MembershipFactory(brand=brand_a, role=BrandMembership.Role.OWNER).user,
        "staff_of_group_of_a": MembershipFactory(brand=group).user,
        "staff_of_b": MembershipFactory(brand=brand_b).user,
        "platform_operator": UserFactory(is_staff=True),
    }
    return {
        "brand": brand_a,
        "store": store_a,
        "product": product_a,
        "sku": product_a.skus.get(),
        "category": category,
        "users": users,
    }


def _request(client: Client, action: str, w: dict):
    """Perform one action as the client's user; return (response, expected OK status, changed())."""
    slug, product = w["brand"].slug, w["product"]
    if action == "view_dashboard":
        return client.get(reverse("console:dashboard", args=[slug])), 200, lambda: True
    if action == "edit_station":
        r = client.post(
            reverse("console:station", args=[slug]), {"name": "新名字", "tagline": "", "story": ""}
        )
        return r, 302, lambda: Brand.objects.get(pk=w["brand"].pk).name == "新名字"
    if action == "create_store":
        r = client.post(
            reverse("console:stores", args=[slug]), {"name": "二店", "slug": "", "description": ""}
        )
        return r, 302, lambda: Store.objects.filter(brand=w["brand"], name="二店").exists()
    if action == "create_product":
        r = client.post(
            reverse("console:product_new", args=[slug]),
            {
                "store": w["store"].pk,
                "category": w["category"].pk,
                "name": "新品",
                "option_names": "",
                "skus": "59.00,3",
            },
        )
        return r, 302, lambda: Product.objects.filter(name="新品").exists()
    if action == "edit_product":
        r = client.post(
            reverse("console:product", args=[slug, product.pk]),
            {"name": "改名", "subtitle": "", "description": "", "category": w["category"].pk},
        )
        return r, 302, lambda: Product.objects.get(pk=product.pk).name == "改名"
    if action == "update_sku":
        r = client.post(
            reverse("console:sku_edit", args=[slug, w["sku"].pk]),
            {"price": "88.00", "stock": "7", "is_active": "on"},
        )
        return r, 302, lambda: str(Sku.objects.get(pk=w["sku"].pk).price) == "88.00"
    if action == "upload_image":
        r = client.post(
            reverse("console:image_add", args=[slug, product.pk]), {"image": png_upload(), "alt": ""}
        )
        return r, 302, lambda: ProductImage.objects.filter(product=product).exists()
    if action == "publish":
        r = client.post(reverse("console:product_publish", args=[slug, product.pk]), {"published": "0"})
        return r, 302, lambda: not Product.objects.get(pk=product.pk).published
    raise AssertionError(action)


@pytest.mark.parametrize(("role", "action", "outcome"), CASES, ids=[f"{r}-{a}" for r, a, _ in CASES])
def test_console_permission_table(world, client_for, role, action, outcome):
    # given a user in this role
    client = client_for(world["users"][role])

    # when they perform the action on brand A
    response, ok_status, changed = _request(client, action, world)

    # then the outcome is the table's, and only an allowed action changes the database
    if outcome == OK:
        assert response.status_code == ok_status
        assert changed() is True
    elif outcome == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("web:login") + "?next=/console/brand-a/")
        assert action == "view_dashboard" or changed() is False
    else:
        assert response.status_code == 403
        assert "无权访问" in response.content.decode()
        assert action == "view_dashboard" or changed() is False
