"""附近的人都买了什么: consenting buyers of the viewer's city, recent, k-anonymous (≥ 5 distinct), never who."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories import ProductFactory, UserFactory
from tests.social.purchases import bought
from tribe.social.proof import NEARBY_MIN_BUYERS, nearby_products

pytestmark = pytest.mark.django_db

CITY = "杭州"
NEARBY_PAGE_QUERIES = 5  # session, user, products (with brand/store, buyers counted in a subquery), images,
# the staff-brands lookup of the nav — whatever the number of products or buyers


def buyers(n, product, *, city=CITY, share=True, **order):
    people = [UserFactory(city=city, share_purchases_nearby=share, nickname=f"买家{city}{i}") for i in range(n)]
    for person in people:
        bought(person, product, **order)
    return people


@pytest.fixture
def viewer():
    return UserFactory(city=CITY, nickname="看看大家")


def test_k_is_five():
    assert NEARBY_MIN_BUYERS == 5


def test_four_consenting_buyers_are_not_shown_five_are(viewer):
    # given
    four, five = ProductFactory(name="四人款"), ProductFactory(name="五人款")
    buyers(4, four)
    buyers(5, five)

    # when
    items = nearby_products(viewer)

    # then
    assert [(p.pk, p.nearby_buyers) for p in items] == [(five.pk, 5)]


def test_non_consenting_buyers_other_cities_and_the_viewer_do_not_count(viewer):
    # given 4 consenting buyers in the city, plus buyers who must not count
    product = ProductFactory()
    buyers(4, product)
    buyers(3, product, share=False)
    buyers(3, product, city="上海")
    bought(UserFactory(city=CITY, share_purchases_nearby=True, is_active=False), product)
    viewer.share_purchases_nearby = True
    viewer.save()
    bought(viewer, product)

    # when / then
    assert nearby_products(viewer) == []


def test_only_real_purchases_count(viewer):
    product = ProductFactory()
    buyers(4, product)
    for status in ("pending_payment", "cancelled", "expired", "closed"):
        buyers(1, product, status=status)
    buyers(1, product, status="completed", refunded_quantity=1)
    assert nearby_products(viewer) == []
    buyers(1, product, status="shipped")
    assert [p.nearby_buyers for p in nearby_products(viewer)] == [5]


def test_a_buyer_counts_once(viewer):
    product = ProductFactory()
    people = buyers(4, product)
    bought(people[0], product)
    assert nearby_products(viewer) == []


def test_purchases_outside_the_window_do_not_count(viewer):
    # given 5 purchases made now
    product = ProductFactory()
    buyers(5, product)

    # when / then: still shown 29 days later, gone after 30
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert [p.pk for p in nearby_products(viewer)] == [product.pk]
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert nearby_products(viewer) == []


def test_old_purchases_and_recent_ones_do_not_add_up(viewer):
    product = ProductFactory()
    buyers(2, product, paid_at=timezone.now() - timedelta(days=40))
    buyers(3, product)
    assert nearby_products(viewer) == []


def test_no_city_or_anonymous_gives_nothing(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    product = ProductFactory()
    buyers(5, product, city="")
    cityless = UserFactory(city="  ")
    with django_assert_num_queries(0):
        assert nearby_products(cityless) == []
        assert nearby_products(AnonymousUser()) == []


def test_unpublished_products_are_not_shown(viewer):
    product = ProductFactory()
    buyers(5, product)
    product.published = False
    product.save()
    assert nearby_products(viewer) == []


def test_page_shows_cards_with_counts_and_never_who(client, viewer):
    # given
    product = ProductFactory(name="同城爆款")
    people = buyers(6, product)
    buyers(4, ProductFactory(name="小众款"))
    client.force_login(viewer)

    # when
    response = client.get("/nearby/")

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="nearby-item"') == 1
    assert "同城爆款" in html and "同城 6 人买过" in html and "小众款" not in html
    for person in people:
        assert person.nickname not in html and person.username not in html


def test_page_empty_states(client):
    user = UserFactory(city="")
    client.force_login(user)
    assert "你还没有填写所在城市。" in client.get("/nearby/").content.decode()
    user.city = CITY
    user.save()
    assert "同城暂时还没有足够多的人买过同一件商品。" in client.get("/nearby/").content.decode()


def test_page_needs_sign_in(client):
    response = client.get("/nearby/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("n", [1, 6])
def test_page_query_count_does_not_grow(client, django_assert_num_queries, viewer, n):
    # given n qualifying products, each with 5 + n buyers
    for i in range(n):
        buyers(5 + n, ProductFactory(name=f"爆款{i}"))
    client.force_login(viewer)
    client.get("/nearby/")

    # when / then
    with django_assert_num_queries(NEARBY_PAGE_QUERIES):
        html = client.get("/nearby/").content.decode()
    assert html.count(f"同城 {5 + n} 人买过") == n


def test_api_nearby_same_rules_and_never_who(api_as, anon, viewer):
    # given
    product = ProductFactory(name="同城爆款")
    people = buyers(5, product)
    buyers(4, ProductFactory())

    # when
    response = api_as(viewer).get("/nearby")

    # then
    body = response.json()
    assert response.status_code == 200
    assert (body["city"], body["days"], body["min_buyers"]) == (CITY, 30, 5)
    assert [(i["product"]["id"], i["buyers"]) for i in body["items"]] == [(product.id, 5)]
    text = response.content.decode()
    for person in people:
        assert person.nickname not in text and person.username not in text
    assert anon.get("/nearby").status_code == 401


def test_consent_flag_defaults_off():
    assert UserFactory().share_purchases_nearby is False


def test_consent_flag_editable_through_the_api(api_as):
    user = UserFactory()
    api = api_as(user)
    assert api.get("/me").json()["share_purchases_nearby"] is False
    response = api.patch("/me", {"share_purchases_nearby": True})
    assert response.status_code == 200 and response.json()["share_purchases_nearby"] is True
    user.refresh_from_db()
    assert user.share_purchases_nearby is True
    assert api.patch("/me", {"share_purchases_nearby": "yes"}).status_code == 422


def test_consent_flag_editable_on_the_profile_page(client):
    # given
    user = UserFactory(city=CITY)
    client.force_login(user)
    html = client.get("/me/").content.decode()
    assert '<input type="checkbox" name="share_purchases_nearby" id="id_share_purchases_nearby">' in html
    assert "附近的人可以看到我买过的商品（匿名汇总）" in html

    # when: ticked, then unticked
    form = {"nickname": "小雨", "city": CITY, "gender": "", "birth_year": "", "bio": "",
            "share_purchases_nearby": "on"}
    assert client.post("/me/", form).status_code == 302
    user.refresh_from_db()
    ticked = user.share_purchases_nearby
    del form["share_purchases_nearby"]
    client.post("/me/", form)
    user.refresh_from_db()

    # then
    assert (ticked, user.share_purchases_nearby) == (True, False)
