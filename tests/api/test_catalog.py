"""Categories, products, SKUs and images through the API."""

from decimal import Decimal

import pytest

from tests.factories import CategoryFactory, ProductFactory
from tests.images import png_upload
from tribe.catalog.models import Product, ProductImage, Sku
from tribe.core.models import Event

from .conftest import error_of

pytestmark = pytest.mark.django_db


def new_product(world, **changes) -> dict:
    body = {
        "store": world.store_a.slug,
        "category": world.category.slug,
        "name": "有机棉睡袋",
        "subtitle": "四季可用",
        "description": "A类婴幼儿标准",
        "option_names": ["尺码"],
        "skus": [
            {"options": {"尺码": "S"}, "price": "129.00", "stock": 5},
            {"options": {"尺码": "M"}, "price": "139.50", "stock": 0, "code": "SLEEP-M"},
        ],
        "published": True,
    }
    body.update(changes)
    return body


# ---- categories -------------------------------------------------------------------------------------------


def test_category_tree_nests_children(anon, db):
    # given
    baby = CategoryFactory(name="母婴", slug="baby", position=1)
    milk = CategoryFactory(name="奶粉", slug="milk", parent=baby)
    CategoryFactory(name="一段", slug="stage-1", parent=milk)
    CategoryFactory(name="女装", slug="women", position=2)
    # when
    response = anon.get("/categories")
    # then
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": baby.id,
            "slug": "baby",
            "name": "母婴",
            "children": [
                {
                    "id": milk.id,
                    "slug": "milk",
                    "name": "奶粉",
                    "children": [
                        {"id": milk.children.get().id, "slug": "stage-1", "name": "一段", "children": []}
                    ],
                }
            ],
        },
        {"id": baby.id + 3, "slug": "women", "name": "女装", "children": []},
    ]


def test_category_detail_has_path_and_children_and_records_the_view(anon, db):
    # given
    baby = CategoryFactory(name="母婴", slug="baby")
    milk = CategoryFactory(name="奶粉", slug="milk", parent=baby)
    stage = CategoryFactory(name="一段", slug="stage-1", parent=milk)
    # when
    response = anon.get("/categories/milk")
    # then
    assert response.status_code == 200
    assert [c["slug"] for c in response.json()["path"]] == ["baby", "milk"]
    assert response.json()["children"] == [{"id": stage.id, "slug": "stage-1", "name": "一段"}]
    assert Event.objects.get(name="category_view").object_id == milk.id
    assert anon.get("/categories/nope").status_code == 404


# ---- product detail ---------------------------------------------------------------------------------------


def test_product_detail_has_skus_images_brand_store_and_category_path(api_as, anon, world):
    # given
    parent = CategoryFactory(name="母婴", slug="muying")
    world.category.parent = parent
    world.category.save()
    api_as(world.staff_a).upload(
        f"/products/{world.product_a.id}/images", file=png_upload(size=(900, 600)), alt="正面"
    )
    # when
    response = anon.get(f"/products/{world.product_a.id}")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "纯棉婴儿连体衣"
    assert (body["min_price"], body["max_price"], body["in_stock"]) == ("89.00", "89.00", True)
    assert body["skus"] == [
        {
            "id": world.sku_a.id,
            "code": world.sku_a.code,
            "options": {},
            "label": "",
            "price": "89.00",
            "stock": 7,
            "is_active": True,
        }
    ]
    assert body["brand"]["slug"] == "nuanyang"
    assert body["store"] == {"id": world.store_a.id, "slug": "nuanyang-store", "name": "暖阳旗舰店"}
    assert body["category"]["slug"] == "baby-wear"
    assert [c["slug"] for c in body["category_path"]] == ["muying", "baby-wear"]
    image = ProductImage.objects.get()
    assert body["images"] == [
        {
            "id": image.id,
            "url": "http://testserver" + image.image.url,
            "thumb_url": "http://testserver" + image.thumb.url,
            "width": 900,
            "height": 600,
            "alt": "正面",
        }
    ]
    assert body["cover"] == body["images"][0]


def test_product_view_is_recorded_with_its_brand(anon, world):
    # when
    anon.get(f"/products/{world.product_a.id}")
    # then
    event = Event.objects.get(name="product_view")
    assert (event.object_type, event.object_id, event.brand_id) == (
        "product",
        world.product_a.id,
        world.brand_a.id,
    )


def test_unpublished_product_is_404_except_for_staff_of_its_brand(api_as, anon, world):
    # given
    Product.objects.filter(pk=world.product_a.pk).update(published=False)
    path = f"/products/{world.product_a.id}"
    # then
    assert anon.get(path).status_code == 404
    assert api_as(world.consumer).get(path).status_code == 404
    assert api_as(world.staff_b).get(path).status_code == 404
    assert api_as(world.staff_a).get(path).status_code == 200
    assert api_as(world.operator).get(path).status_code == 200
    assert Event.objects.filter(name="product_view").count() == 2


def test_inactive_skus_are_shown_to_staff_only(api_as, anon, world):
    # given
    Sku.objects.create(product=world.product_a, code="OFF", price=Decimal("1.00"), stock=1, is_active=False)
    path = f"/products/{world.product_a.id}"
    # then
    assert [s["code"] for s in anon.get(path).json()["skus"]] == [world.sku_a.code]
    assert [s["code"] for s in api_as(world.staff_a).get(path).json()["skus"]] == [world.sku_a.code, "OFF"]


def test_unknown_product_is_404(anon, db):
    for path in ("/products/999999", "/products/0", "/products/99999999999999999999999", "/products/abc"):
        response = anon.get(path)
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"


# ---- writes -----------------------------------------------------------------------------------------------


def test_staff_create_a_product_with_skus(api_as, world):
    # when
    response = api_as(world.staff_a).post("/products", new_product(world))
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["published"], body["option_names"]) == ("有机棉睡袋", True, ["尺码"])
    assert (body["min_price"], body["max_price"]) == ("129.00", "139.50")
    assert [(s["options"], s["price"], s["stock"]) for s in body["skus"]] == [
        ({"尺码": "S"}, "129.00", 5),
        ({"尺码": "M"}, "139.50", 0),
    ]
    assert body["skus"][1]["code"] == "SLEEP-M"
    product = Product.objects.get(pk=body["id"])
    assert (product.store, product.brand, product.total_stock) == (world.store_a, world.brand_a, 5)
    assert product.skus.get(code="SLEEP-M").price == Decimal("139.50")


def test_create_product_refuses_float_and_three_place_prices_and_stores_nothing(api_as, world):
    # given
    api = api_as(world.staff_a)
    before = Product.objects.count()
    # when
    as_float = api.post("/products", new_product(world, skus=[{"options": {"尺码": "S"}, "price": 9.9}]))
    three_places = api.post(
        "/products", new_product(world, skus=[{"options": {"尺码": "S"}, "price": "9.999"}])
    )
    negative = api.post("/products", new_product(world, skus=[{"options": {"尺码": "S"}, "price": "-1"}]))
    # then
    assert as_float.status_code == 422
    assert error_of(as_float)["fields"] == {"skus.0.price": 'Value error, a decimal string such as "99.00"'}
    assert (three_places.status_code, error_of(three_places)["fields"]) == (
        422,
        {"price": "at most 2 decimals"},
    )
    assert (negative.status_code, error_of(negative)["fields"]) == (422, {"price": "must be positive"})
    assert Product.objects.count() == before


def test_create_product_with_unknown_references_is_422(api_as, world):
    # given
    api = api_as(world.staff_a)
    before = Product.objects.count()
    # when
    store = api.post("/products", new_product(world, store="no-such-store"))
    category = api.post("/products", new_product(world, category="no-such-cat"))
    brand = api.post("/products", new_product(world, brand=world.brand_b.slug))
    # then
    assert error_of(store)["fields"] == {"store": "unknown store"}
    assert error_of(category)["fields"] == {"category": "unknown category"}
    assert (brand.status_code, error_of(brand)["fields"]) == (422, {"brand": "not sold by this store"})
    assert Product.objects.count() == before


def test_published_product_needs_a_sku(api_as, world):
    response = api_as(world.staff_a).post("/products", new_product(world, skus=[]))
    assert (response.status_code, error_of(response)["code"]) == (422, "no_sku")
    assert not Product.objects.filter(name="有机棉睡袋").exists()


def test_staff_edit_a_product(api_as, world):
    # given
    other = CategoryFactory(slug="sleep")
    # when
    response = api_as(world.staff_a).patch(
        f"/products/{world.product_a.id}", {"name": "新款连体衣", "category": "sleep"}
    )
    # then
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["category"]["slug"]) == ("新款连体衣", "sleep")
    world.product_a.refresh_from_db()
    assert (world.product_a.name, world.product_a.category) == ("新款连体衣", other)


def test_patch_with_an_unknown_field_is_422_and_changes_nothing(api_as, world):
    # when
    response = api_as(world.staff_a).patch(
        f"/products/{world.product_a.id}", {"name": "改名", "min_price": "1.00"}
    )
    # then
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"min_price"}
    world.product_a.refresh_from_db()
    assert world.product_a.name == "纯棉婴儿连体衣"


def test_unpublish_and_publish(api_as, anon, world):
    # given
    staff = api_as(world.staff_a)
    # when
    off = staff.post(f"/products/{world.product_a.id}/unpublish")
    # then
    assert (off.status_code, off.json()["published"]) == (200, False)
    assert anon.get(f"/products/{world.product_a.id}").status_code == 404
    # and when
    on = staff.post(f"/products/{world.product_a.id}/publish")
    # then
    assert (on.status_code, on.json()["published"]) == (200, True)
    assert anon.get(f"/products/{world.product_a.id}").status_code == 200


def test_add_a_sku_and_update_it(api_as, world):
    # given
    product = ProductFactory(
        store=world.store_a,
        option_names=["颜色"],
        skus=[{"options": {"颜色": "粉"}, "price": Decimal("59.00"), "stock": 1}],
    )
    staff = api_as(world.staff_a)
    # when
    added = staff.post(
        f"/products/{product.id}/skus", {"options": {"颜色": "蓝"}, "price": "49.90", "stock": 3}
    )
    updated = staff.patch(f"/skus/{added.json()['id']}", {"price": "45", "stock": 8})
    # then
    assert added.status_code == 201
    assert (added.json()["label"], added.json()["price"]) == ("蓝", "49.90")
    assert updated.status_code == 200
    assert (updated.json()["price"], updated.json()["stock"]) == ("45.00", 8)
    product.refresh_from_db()
    assert (product.min_price, product.max_price, product.total_stock) == (
        Decimal("45.00"),
        Decimal("59.00"),
        9,
    )


def test_duplicate_sku_options_are_409(api_as, world):
    response = api_as(world.staff_a).post(f"/products/{world.product_a.id}/skus", {"price": "1.00"})
    assert (response.status_code, error_of(response)["code"]) == (409, "sku_exists")
    assert world.product_a.skus.count() == 1


def test_deactivating_the_last_sku_takes_the_stock_off(api_as, world):
    # when
    response = api_as(world.staff_a).patch(f"/skus/{world.sku_a.id}", {"is_active": False})
    # then
    assert (response.status_code, response.json()["is_active"]) == (200, False)
    world.product_a.refresh_from_db()
    assert world.product_a.total_stock == 0


def test_upload_and_delete_a_product_image(api_as, world):
    # given
    staff = api_as(world.staff_a)
    # when
    uploaded = staff.upload(f"/products/{world.product_a.id}/images", file=png_upload(), alt="侧面")
    # then
    assert uploaded.status_code == 201
    image = ProductImage.objects.get()
    assert uploaded.json()["thumb_url"] == "http://testserver" + image.thumb.url
    assert image.image.storage.exists(image.image.name)
    # and when
    deleted = staff.delete(f"/images/{image.id}")
    # then
    assert deleted.status_code == 204
    assert not ProductImage.objects.exists()
    assert not image.image.storage.exists(image.image.name)
    assert staff.delete(f"/images/{image.id}").status_code == 404
