"""Storefront fixtures: a small catalogue with all three station kinds."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import BrandFactory, CategoryFactory, ProductFactory, StoreFactory
from tribe.brands.models import Brand
from tribe.catalog.models import Placement


def png_bytes(size=(8, 8), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def png_upload(name="a.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


@pytest.fixture
def png():
    return png_upload


@pytest.fixture
def shop(db):
    """A hub group with two sub-brands selling in two stores, a flagship and a content station."""
    baby = CategoryFactory(name="母婴", slug="baby")
    milk = CategoryFactory(name="奶粉", slug="milk", parent=baby)
    wear = CategoryFactory(name="孕妇装", slug="maternity", parent=baby)
    home = CategoryFactory(name="家居", slug="home-living")

    hub = BrandFactory(name="贝乐集团", slug="bele-group", kind=Brand.Kind.HUB, tagline="陪伴每个家庭",
                       story="1998 年创立。\n专注母婴。")
    sub_a = BrandFactory(name="贝乐奶粉", slug="bele-milk", parent=hub)
    sub_b = BrandFactory(name="贝乐童装", slug="bele-kids", parent=hub)
    hub_store = StoreFactory(brand=hub, name="贝乐官方商城", slug="bele-mall")
    sub_store = StoreFactory(brand=sub_b, name="贝乐童装店", slug="bele-kids-shop")

    flagship = BrandFactory(name="暖居", slug="nuanju", kind=Brand.Kind.FLAGSHIP, tagline="家的温度")
    flagship_store = StoreFactory(brand=flagship, name="暖居旗舰店", slug="nuanju-store")

    content = BrandFactory(name="小欢喜", slug="xiao-huanxi", kind=Brand.Kind.CONTENT, tagline="电视剧同款")

    formula = ProductFactory(name="婴儿配方奶粉", store=hub_store, brand=sub_a, category=milk,
                             skus=[{"price": Decimal("268.00"), "stock": 5}])
    suit = ProductFactory(name="孕妇防辐射服 银纤维", store=hub_store, brand=sub_a, category=wear,
                          skus=[{"price": Decimal("199.00"), "stock": 3}])
    onesie = ProductFactory(name="婴儿连体衣", store=sub_store, brand=sub_b, category=wear,
                            skus=[{"price": Decimal("59.90"), "stock": 0}])
    blanket = ProductFactory(name="羊毛毯", store=flagship_store, brand=flagship, category=home,
                             skus=[{"price": Decimal("399.00"), "stock": 7}])
    hidden = ProductFactory(name="未上架的靠枕", store=flagship_store, brand=flagship, category=home,
                            published=False)
    Placement.objects.create(station=content, product=blanket, note="第 3 集客厅沙发上", position=0)
    Placement.objects.create(station=content, product=hidden, note="不该出现", position=1)
    return {
        "categories": {"baby": baby, "milk": milk, "wear": wear, "home": home},
        "hub": hub, "sub_a": sub_a, "sub_b": sub_b, "hub_store": hub_store, "sub_store": sub_store,
        "flagship": flagship, "flagship_store": flagship_store, "content": content,
        "formula": formula, "suit": suit, "onesie": onesie, "blanket": blanket, "hidden": hidden,
    }
