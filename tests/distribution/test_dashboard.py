"""The promoter dashboard counts real clicks, visitors and orders; multi-product shares (a 达人's look) bind
the visitor for each brand the sharer promotes; a ban voids the promoter's held rewards."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.orders.conftest import pay
from tribe.curation.models import Album, AlbumItem
from tribe.distribution import services
from tribe.distribution.models import LineAttribution
from tribe.referrals.models import Reward

from .conftest import buy, share_url

pytestmark = pytest.mark.django_db


def test_dashboard_counts_clicks_visitors_orders_and_commission(client, shop):
    for visitor in (shop.buyer, UserFactory()):
        client.force_login(visitor)
        client.get(share_url(shop.product, shop.promoter.user, channel="moments"))
    order = buy(shop.buyer, shop.product, qty=2)
    pay(shop.buyer, order)
    client.force_login(shop.promoter.user)
    html = client.get("/me/promote/").content.decode()
    assert 'data-stat="clicks">2<' in html and 'data-stat="visitors">2<' in html
    assert 'data-stat="orders">1<' in html and 'data-stat="paid_orders">1<' in html
    assert 'data-stat="conversion">50.0%<' in html
    assert "moments" in html and "¥20.00" in html  # 10% of 200.00, pending


def test_dashboard_for_someone_promoting_nothing(client):
    client.force_login(UserFactory())
    assert "你还没有成为任何品牌的推广员" in client.get("/me/promote/").content.decode()
    client.logout()
    assert client.get("/me/promote/").status_code == 302


def test_buying_from_a_shared_look_attributes_the_sale(client, shop):
    look = Album.objects.create(owner=shop.promoter.user, title="通勤穿搭")
    AlbumItem.objects.create(album=look, product=shop.product, position=0)
    client.force_login(shop.buyer)
    from tribe.core.sharing import encode_sharer

    assert client.get(f"/albums/{look.pk}/?share={encode_sharer(shop.promoter.user.pk)}&ch=wechat").status_code == 200
    order = buy(shop.buyer, shop.product)
    assert LineAttribution.objects.get(line__order=order).promoter == shop.promoter


def test_ban_voids_held_rewards_of_that_brand(shop):
    from tribe.referrals.models import Referral, Sighting

    user = shop.promoter.user
    Sighting.objects.create(user=user, ip="10.1.1.1", fingerprint="dev")
    Referral.objects.create(inviter=user, invitee=shop.buyer, ip="10.1.1.1", fingerprint="dev")
    pay(shop.buyer, buy(shop.buyer, shop.product))
    assert Reward.objects.get().state == "held"
    services.decide(shop.staff, shop.brand, shop.promoter.pk, "ban")
    assert Reward.objects.get().state == "void"
