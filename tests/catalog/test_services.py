from decimal import Decimal

import pytest

from tests.factories import CategoryFactory, MembershipFactory, ProductFactory, StoreFactory
from tests.images import png_upload, text_upload
from tribe.catalog.models import Product, ProductImage, Sku
from tribe.catalog.services import add_product_image, add_sku, create_product, update_product, update_sku
from tribe.core.errors import Conflict, ValidationFailed
from tribe.search.models import SearchDocument


@pytest.fixture
def staff_store(db):
    store = StoreFactory()
    return MembershipFactory(brand=store.brand).user, store


def test_create_product_with_skus_keeps_summary_and_index(staff_store):
    staff, store = staff_store
    product = create_product(
        staff, store, name="纯棉连体衣", category=CategoryFactory(name="童装"), option_names=["颜色", "尺码"],
        skus=[
            {"options": {"颜色": "粉色", "尺码": "66"}, "price": "89.00", "stock": 5},
            {"options": {"颜色": "蓝色", "尺码": "73"}, "price": "99.50", "stock": 0},
        ],
        published=True,
    )
    product.refresh_from_db()
    assert (product.min_price, product.max_price, product.total_stock) == (Decimal("89.00"), Decimal("99.50"), 5)
    doc = SearchDocument.objects.get(product=product)
    assert "连体衣" in doc.name_terms.split() and "童装" in doc.meta_terms.split()
    assert "粉色" in doc.body_terms.split()


@pytest.mark.parametrize(
    "sku",
    [{"options": {"颜色": "红"}, "price": "-1", "stock": 1},
     {"options": {"颜色": "红"}, "price": "1.999", "stock": 1},
     {"options": {"颜色": "红"}, "price": "10", "stock": -1},
     {"options": {"颜色": "红"}, "price": "10", "stock": 10**9},
     {"options": {"颜色": "红"}, "price": "10", "stock": "5"},
     {"options": {"尺码": "M"}, "price": "10", "stock": 1}],
)
def test_create_product_refuses_bad_skus_and_stores_nothing(staff_store, sku):
    staff, store = staff_store
    with pytest.raises(ValidationFailed):
        create_product(staff, store, name="T恤", category=CategoryFactory(), option_names=["颜色"], skus=[sku])
    assert Product.objects.count() == 0 and Sku.objects.count() == 0


def test_a_published_product_needs_a_sku(staff_store):
    staff, store = staff_store
    with pytest.raises(ValidationFailed) as exc:
        create_product(staff, store, name="空壳", category=CategoryFactory(), published=True)
    assert exc.value.code == "no_sku"


def test_duplicate_sku_options_conflict(staff_store):
    staff, store = staff_store
    product = create_product(staff, store, name="袜子", category=CategoryFactory(), option_names=["颜色"],
                             skus=[{"options": {"颜色": "白"}, "price": "5", "stock": 1}])
    with pytest.raises(Conflict):
        add_sku(staff, product, options={"颜色": "白"}, price="6")
    add_sku(staff, product, options={"颜色": "黑"}, price="6", stock=3)
    product.refresh_from_db()
    assert (product.min_price, product.total_stock) == (Decimal("5.00"), 4)


def test_update_sku_and_deactivate_refresh_summary(staff_store):
    staff, store = staff_store
    product = ProductFactory(store=store, skus=[{"price": Decimal("10"), "stock": 2},
                                                {"price": Decimal("20"), "stock": 3}])
    cheap = product.skus.order_by("price").first()
    update_sku(staff, cheap, is_active=False)
    product.refresh_from_db()
    assert (product.min_price, product.total_stock) == (Decimal("20.00"), 3)


def test_update_product_escaping_is_the_templates_job_text_is_kept(staff_store):
    staff, store = staff_store
    product = ProductFactory(store=store)
    update_product(staff, product, name="<script>alert(1)</script>奶粉")
    product.refresh_from_db()
    assert product.name == "<script>alert(1)</script>奶粉"
    with pytest.raises(ValidationFailed):
        update_product(staff, product, price="1.00")


def test_image_upload_is_validated_reencoded_and_thumbnailed(staff_store):
    staff, store = staff_store
    product = ProductFactory(store=store)
    image = add_product_image(staff, product, png_upload(size=(3000, 1500)))
    assert (image.width, image.height) == (2000, 1000)  # capped at 2000 px on the long side
    assert image.image.name.endswith(".jpg") and image.thumb.name.endswith("_t.jpg")


def test_non_image_upload_is_refused_and_nothing_stored(staff_store):
    staff, store = staff_store
    product = ProductFactory(store=store)
    with pytest.raises(ValidationFailed) as exc:
        add_product_image(staff, product, text_upload())
    assert exc.value.code == "invalid_image"
    assert ProductImage.objects.count() == 0


def test_huge_upload_is_refused_before_decoding(staff_store, settings):
    staff, store = staff_store
    settings.TRIBE_MAX_IMAGE_BYTES = 100
    product = ProductFactory(store=store)
    with pytest.raises(ValidationFailed) as exc:
        add_product_image(staff, product, png_upload())
    assert (exc.value.code, exc.value.status) == ("image_too_large", 413)
    assert ProductImage.objects.count() == 0


def test_at_most_nine_images(staff_store):
    staff, store = staff_store
    product = ProductFactory(store=store)
    for _ in range(9):
        add_product_image(staff, product, png_upload())
    with pytest.raises(ValidationFailed) as exc:
        add_product_image(staff, product, png_upload())
    assert exc.value.code == "too_many_images"
    assert product.images.count() == 9
