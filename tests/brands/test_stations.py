import pytest

from tests.factories import BrandFactory, MembershipFactory, ProductFactory, StoreFactory
from tribe.brands.models import Brand
from tribe.brands.selectors import station_stores
from tribe.brands.services import add_video, create_store
from tribe.catalog.services import place_product
from tribe.core.errors import ValidationFailed


def test_hub_station_sells_through_the_stores_of_its_sub_brands(db):
    group = BrandFactory(kind=Brand.Kind.HUB)
    baby, mum = BrandFactory(parent=group), BrandFactory(parent=group)
    group_store = StoreFactory(brand=group)
    baby_store = StoreFactory(brand=baby)
    StoreFactory(brand=BrandFactory())  # another group's store
    assert set(station_stores(group)) == {group_store, baby_store}
    assert list(station_stores(mum)) == []


def test_flagship_station_is_its_own_store(db):
    brand = BrandFactory(kind=Brand.Kind.FLAGSHIP)
    store = StoreFactory(brand=brand)
    assert list(station_stores(brand)) == [store]


def test_content_station_has_no_store_but_places_products_sold_elsewhere(db):
    station = BrandFactory(kind=Brand.Kind.CONTENT)
    staff = MembershipFactory(brand=station).user
    with pytest.raises(ValidationFailed) as exc:
        create_store(staff, station, name="剧组小卖部")
    assert exc.value.code == "content_station_has_no_store"
    product = ProductFactory()
    placement = place_product(staff, station, product, note="第3集女主同款")
    assert (placement.product.store.name, placement.note) == (product.store.name, "第3集女主同款")


def test_only_content_stations_take_placements(db):
    brand = BrandFactory(kind=Brand.Kind.FLAGSHIP)
    staff = MembershipFactory(brand=brand).user
    with pytest.raises(ValidationFailed):
        place_product(staff, brand, ProductFactory())


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x/y", "", "http://a b"])
def test_video_links_must_be_http(db, url):
    brand = BrandFactory()
    staff = MembershipFactory(brand=brand).user
    with pytest.raises(ValidationFailed):
        add_video(staff, brand, url=url)
    assert brand.media.count() == 0
