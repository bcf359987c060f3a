import pytest
from django.contrib.auth import authenticate, get_user_model
from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.test import override_settings

from tribe.brands.models import Brand, BrandMedia, BrandMembership, Store
from tribe.brands.selectors import can_manage_brand
from tribe.catalog.models import Bundle, Placement, Product, ProductImage, Sku
from tribe.core.errors import Conflict
from tribe.core.models import Event
from tribe.demo.data import DEMO_PASSWORD
from tribe.demo.seed import is_seeded, seed_demo
from tribe.search.models import SearchDocument
from tribe.search.services import SearchParams, search_products

User = get_user_model()
SMALL = {"products": 40, "consumers": 8}


@pytest.fixture(scope="module")
def _seeded_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """One small demo for the read-only tests of this module, rolled back at the end (seeding takes ~2 s)."""
    fast = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],  # as tests/conftest.py does
    )
    with django_db_blocker.unblock(), fast:
        with transaction.atomic():
            yield seed_demo(42, **SMALL)
            transaction.set_rollback(True)


@pytest.fixture
def small_demo(_seeded_module, db):
    return _seeded_module


def consumers():
    return User.objects.filter(is_staff=False, is_promoter=False, brand_memberships__isnull=True)


def test_small_seed_has_every_station_kind(small_demo):
    kinds = dict(Brand.objects.values_list("slug", "kind"))
    assert kinds["nuanyang"] == "hub"
    assert kinds["mianduo"] == "flagship"
    assert kinds["warm-home-drama"] == "content"

    # the hub's sub-brands sell through more than one store (站店分离)
    hub = Brand.objects.get(slug="nuanyang")
    sub_brands = set(hub.children.values_list("slug", flat=True))
    assert sub_brands == {"nuanyang-baby", "nuanyang-mama", "xiaonuan-toys"}
    baby_stores = set(
        Product.objects.filter(brand__slug="nuanyang-baby").values_list("store__slug", flat=True)
    )
    assert baby_stores == {"nuanyang-baby-store", "nuanyang-official"}

    # a flagship is its own store (站店合一); a content station has none, only placements
    assert list(Store.objects.filter(brand__slug="mianduo").values_list("slug", flat=True)) == [
        "mianduo-flagship"
    ]
    assert not Store.objects.filter(brand__kind="content").exists()
    assert Placement.objects.filter(station__slug="warm-home-drama").count() >= 8
    assert all(p.store.brand.kind != "content" for p in Product.objects.select_related("store__brand"))


def test_small_seed_stations_have_story_media_and_news(small_demo):
    for brand in Brand.objects.all():
        assert brand.story and brand.tagline and brand.logo and brand.cover
        assert brand.media.filter(kind=BrandMedia.Kind.IMAGE).count() == 1
    videos = BrandMedia.objects.filter(kind=BrandMedia.Kind.VIDEO).values_list("url", flat=True)
    assert videos and all(url.startswith("https://example.com/videos/") for url in videos)
    assert Brand.objects.get(slug="nuanyang").news.count() == 3


def test_every_product_has_skus_an_image_a_summary_and_an_index_entry(small_demo):
    products = Product.objects.annotate(
        n_skus=Count("skus"), lo=Min("skus__price"), hi=Max("skus__price"), stock=Sum("skus__stock")
    )
    assert products.count() == 40
    for p in products:
        assert p.n_skus >= 1
        assert (p.min_price, p.max_price, p.total_stock) == (p.lo, p.hi, p.stock)
    assert not Product.objects.filter(images__isnull=True).exists()
    assert ProductImage.objects.exclude(thumb="").count() == ProductImage.objects.count()
    assert SearchDocument.objects.count() == 40
    assert Sku.objects.filter(stock=0).exists()  # some variants are sold out


def test_every_published_product_is_found_by_its_name(small_demo):
    for product in Product.objects.published():
        result = search_products(SearchParams(q=product.name, page_size=60))
        assert product.id in [p.id for p in result.items], product.name


def test_searching_naifen_finds_the_formula_milk(small_demo):
    milk = set(Product.objects.published().filter(name__contains="奶粉").values_list("id", flat=True))

    result = search_products(SearchParams(q="奶粉", page_size=60))

    assert milk and milk <= {p.id for p in result.items}


def test_bundles_span_brands(small_demo):
    bundles = Bundle.objects.annotate(brands=Count("items__product__brand", distinct=True))
    assert bundles.filter(slug="newborn-homecoming").exists()
    assert all(b.brands >= 2 for b in bundles)


def test_the_demo_invents_no_activity(small_demo):
    assert Event.objects.count() == 0
    # sales come only from the plays' real paid orders (group buys, the presale deposit), never invented
    from tribe.orders.models import OrderLine

    paid = OrderLine.objects.filter(order__paid_at__isnull=False).values("product_id").annotate(n=Sum("quantity"))
    assert {p.pk: p.sales_count for p in Product.objects.filter(sales_count__gt=0)} == {
        r["product_id"]: r["n"] for r in paid}


def test_demo_logins_and_roles(small_demo):
    operator = authenticate(username="operator", password=DEMO_PASSWORD)
    assert operator is not None and operator.is_platform_operator
    owner = authenticate(username="nuanyang-owner", password=DEMO_PASSWORD)
    assert owner is not None and not owner.is_platform_operator
    assert can_manage_brand(owner, Brand.objects.get(slug="nuanyang-baby").id)  # the group's sub-brand
    assert not can_manage_brand(owner, Brand.objects.get(slug="suyanji").id)
    assert BrandMembership.objects.get(user__username="suyanji-ops").role == "operator"
    assert User.objects.filter(is_promoter=True).count() == 4


def test_consumers_have_profiles_and_promotions_are_mostly_off(small_demo):
    people = list(consumers())
    assert len(people) == 8
    assert all(p.nickname and p.city for p in people)
    assert sum(p.allow_promotions for p in people) < len(people) / 2


def test_seeding_twice_is_refused(small_demo):
    with pytest.raises(Conflict) as refused:
        seed_demo(42, **SMALL)
    assert refused.value.code == "not_empty"
    assert Product.objects.count() == 40
    assert is_seeded()
