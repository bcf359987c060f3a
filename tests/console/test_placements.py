"""Content stations place products sold elsewhere, with a note, and remove them."""

import pytest
from django.urls import reverse
from tests.factories import BrandFactory, MembershipFactory, ProductFactory, UserFactory

from tribe.brands.models import Brand
from tribe.catalog.models import Placement
from tribe.catalog.services import remove_placement
from tribe.core.errors import PermissionDenied


@pytest.fixture
def drama(db):
    return BrandFactory(name="小欢喜", slug="drama", kind=Brand.Kind.CONTENT)


@pytest.fixture
def drama_client(client_for, drama):
    return client_for(MembershipFactory(brand=drama).user)


def test_search_finds_published_products_by_name(drama_client, drama, category):
    wanted = ProductFactory(category=category, name="女主同款风衣")
    ProductFactory(category=category, name="男主同款风衣", published=False)
    ProductFactory(category=category, name="保温杯")

    response = drama_client.get(reverse("console:placements", args=["drama"]) + "?q=风衣")

    assert response.status_code == 200
    assert [p.pk for p in response.context["results"]] == [wanted.pk]


def test_place_product_with_note(drama_client, drama, product_a):
    response = drama_client.post(
        reverse("console:placements", args=["drama"]), {"product": product_a.pk, "note": "第 3 集女主同款"}
    )

    assert response.status_code == 302
    placement = Placement.objects.get()
    assert (placement.station, placement.product, placement.note) == (drama, product_a, "第 3 集女主同款")
    body = drama_client.get(reverse("console:placements", args=["drama"])).content.decode()
    assert "第 3 集女主同款" in body


def test_placing_an_unpublished_product_is_422(drama_client, category):
    hidden = ProductFactory(category=category, published=False)

    response = drama_client.post(
        reverse("console:placements", args=["drama"]), {"product": hidden.pk, "note": ""}
    )

    assert response.status_code == 422
    assert Placement.objects.count() == 0


def test_flagship_station_cannot_place_products(staff_client, brand_a, category):
    product = ProductFactory(category=category)

    response = staff_client.post(
        reverse("console:placements", args=["brand-a"]), {"product": product.pk, "note": ""}
    )

    assert response.status_code == 422
    assert "只有内容站可以植入商品" in response.content.decode()
    assert Placement.objects.count() == 0


def test_remove_placement(drama_client, drama, product_a):
    placement = Placement.objects.create(station=drama, product=product_a, note="x")

    response = drama_client.post(reverse("console:placement_delete", args=["drama", placement.pk]))

    assert response.status_code == 302
    assert Placement.objects.count() == 0


def test_placement_of_another_station_is_404(drama_client, product_a):
    other_station = BrandFactory(kind=Brand.Kind.CONTENT)
    placement = Placement.objects.create(station=other_station, product=product_a)

    response = drama_client.post(reverse("console:placement_delete", args=["drama", placement.pk]))

    assert response.status_code == 404
    assert Placement.objects.filter(pk=placement.pk).exists()


def test_remove_placement_service_checks_station_staff(drama, product_a):
    placement = Placement.objects.create(station=drama, product=product_a)

    with pytest.raises(PermissionDenied):
        remove_placement(UserFactory(), placement)

    assert Placement.objects.filter(pk=placement.pk).exists()
