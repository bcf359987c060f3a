from decimal import Decimal

import pytest

from tests.groupbuy.conftest import ADDRESS, join, open_, pay
from tribe.groupbuy.models import GroupMember
from tribe.orders.models import Address, Order

pytestmark = pytest.mark.django_db

NEW_ADDRESS = {"address": "new", **ADDRESS, "save_address": "on"}


def test_campaign_page_lists_open_groups_with_seats_left(client, deal, users):
    group = GroupMember.objects.get(order=open_(users[0], deal)).group
    response = client.get(f"/groupbuy/{deal.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "¥60.00" in body and f"/groups/{group.pk}/" in body and "还差 2 人" in body


def test_group_page_shows_real_members_only(client, deal, users):
    order = open_(users[0], deal)
    group = GroupMember.objects.get(order=order).group
    pay(users[0], order)
    body = client.get(f"/groups/{group.pk}/").content.decode()
    assert body.count('data-testid="group-member"') == 1
    assert body.count('data-testid="empty-seat"') == 2
    assert "还差 2 人成团" in body and "share/group/" in body


def test_open_through_the_page_then_pay_page(client, deal, users):
    client.force_login(users[0])
    page = client.get(f"/groupbuy/{deal.pk}/open/")
    assert page.status_code == 200
    response = client.post(f"/groupbuy/{deal.pk}/open/", {**NEW_ADDRESS, "sku_id": str(deal.skus.get().sku_id),
                                                          "idempotency_key": "page-open-0001"})
    order = Order.objects.get(user=users[0])
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.number}/pay/"
    assert order.total == Decimal("68.00") and Address.objects.filter(user=users[0]).count() == 1


def test_joining_a_full_group_through_the_page_offers_a_new_group(client, shop, deal, users):
    group = GroupMember.objects.get(order=open_(users[0], deal)).group
    join(users[1], group)
    join(users[2], group, key="join-0002")
    client.force_login(users[3])
    response = client.post(f"/groups/{group.pk}/join/", {**NEW_ADDRESS, "idempotency_key": "page-join-0001"})
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-code="group_full"' in body and f"/groupbuy/{deal.pk}/open/" in body
    assert not Order.objects.filter(user=users[3]).exists()
    page = client.get(f"/groups/{group.pk}/join/")
    assert page.status_code == 409 and 'data-code="group_full"' in page.content.decode()


def test_unknown_group_is_404(client, db):
    assert client.get("/groups/999999/").status_code == 404
    assert client.get("/groupbuy/999999/").status_code == 404


def test_share_card_of_a_group(client, deal, users):
    group = GroupMember.objects.get(order=open_(users[0], deal)).group
    response = client.get(f"/share/group/{group.pk}/")
    assert response.status_code == 200 and "【拼团】" in response.content.decode()
    assert client.get(f"/share/group/{group.pk}/qr.png")["Content-Type"] == "image/png"


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_campaign_and_group_pages_do_not_grow_with_groups_or_members(client, shop, users):
    from tests.factories import UserFactory
    from tests.groupbuy.conftest import make_deal

    deal = make_deal(shop, size=5, limit=2)
    first = GroupMember.objects.get(order=open_(users[0], deal)).group
    _count_queries(client, f"/groupbuy/{deal.pk}/")  # warm the per-process caches (site context)
    deal_q, group_q = _count_queries(client, f"/groupbuy/{deal.pk}/"), _count_queries(client, f"/groups/{first.pk}/")
    for i in range(4):
        open_(UserFactory(), deal, key=f"open-more-{i:04d}")
        join(UserFactory(), first, key=f"join-more-{i:04d}")
    assert _count_queries(client, f"/groupbuy/{deal.pk}/") == deal_q
    assert _count_queries(client, f"/groups/{first.pk}/") == group_q
