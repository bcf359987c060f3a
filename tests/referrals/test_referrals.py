"""Invites and share rewards: only a first PAID purchase earns, caps, fraud holds, full refunds and bans void,
brand review; invite pages and API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.orders.conftest import checkout, pay, sku_of
from tribe.aftersales.services import approve_refund, request_refund
from tribe.core.errors import Conflict, PermissionDenied
from tribe.orders.models import Order
from tribe.referrals import services
from tribe.referrals.models import Referral, Reward, Sighting

pytestmark = pytest.mark.django_db


def invite(inviter, invitee, *, ip="10.0.0.2", fp="fp-invitee"):
    return Referral.objects.create(inviter=inviter, invitee=invitee, ip=ip, fingerprint=fp)


def buy(user, product, key="order-k-1"):
    order = checkout(user, [(sku_of(product), 1)], key=key)
    pay(user, order)
    order.refresh_from_db()
    return order


def test_no_reward_at_signup_only_at_first_paid_purchase(shop, buyer):
    inviter = UserFactory()
    invite(inviter, buyer)
    assert Reward.objects.count() == 0
    unpaid = checkout(buyer, [(sku_of(shop["a"]), 1)], key="order-unpaid")
    assert unpaid.status == Order.Status.PENDING_PAYMENT and Reward.objects.count() == 0
    order = buy(buyer, shop["a"])
    reward = Reward.objects.get()
    assert (reward.kind, reward.beneficiary, reward.order, reward.state) == ("invite", inviter, order, "granted")
    assert reward.amount > 0 and reward.brand_id == shop["a"].brand_id
    assert Referral.objects.get().state == "converted"
    buy(buyer, shop["a"], key="order-k-2")  # a second purchase earns nothing more
    assert Reward.objects.count() == 1


def test_share_reward_for_a_new_paying_visitor(shop, buyer):
    sharer = UserFactory()
    order = checkout(buyer, [(sku_of(shop["a"]), 1)], key="order-k-s")
    Order.objects.filter(pk=order.pk).update(sharer_id=sharer.pk)
    pay(buyer, order)
    reward = Reward.objects.get()
    assert (reward.kind, reward.beneficiary_id, reward.state) == ("share", sharer.pk, "granted")


def test_self_share_earns_nothing(shop, buyer):
    order = checkout(buyer, [(sku_of(shop["a"]), 1)], key="order-k-self")
    Order.objects.filter(pk=order.pk).update(sharer_id=buyer.pk)
    pay(buyer, order)
    assert Reward.objects.count() == 0


def test_same_device_is_held_for_review(shop, buyer):
    inviter = UserFactory()
    Sighting.objects.create(user=inviter, ip="10.9.9.9", fingerprint="same-phone")
    invite(inviter, buyer, ip="10.1.1.1", fp="same-phone")
    buy(buyer, shop["a"])
    reward = Reward.objects.get()
    assert reward.state == "held" and "same_device" in reward.reasons


def test_same_address_or_phone_is_held(shop, buyer):
    inviter = UserFactory()
    first = checkout(inviter, [(sku_of(shop["b"]), 1)], key="order-inviter-own")  # the inviter shipped to ADDRESS
    assert first.ship_phone
    invite(inviter, buyer)
    buy(buyer, shop["a"])  # the invitee ships to the same address and phone
    assert Reward.objects.get().reasons == ["same_address_or_phone"]


def test_burst_of_referrals_is_held(shop, buyer, settings):
    settings.REFERRAL_BURST_PER_HOUR = 2
    inviter = UserFactory()
    for _ in range(3):
        invite(inviter, UserFactory())
    invite(inviter, buyer)
    buy(buyer, shop["a"])
    assert "referral_burst" in Reward.objects.get().reasons


def test_too_many_rewards_from_one_ip_are_held(shop, settings):
    settings.REWARDS_PER_IP = 1
    inviter = UserFactory()
    a, b = UserFactory(), UserFactory()
    invite(inviter, a, ip="10.7.7.7", fp="x1")
    invite(inviter, b, ip="10.7.7.7", fp="x2")
    buy(a, shop["a"], key="order-a1")
    Order.objects.filter(user=a).update(ship_phone="13900000001", ship_detail="别处 1 号")
    order = checkout(b, [(sku_of(shop["a"]), 1)], key="order-b1")
    Order.objects.filter(pk=order.pk).update(ship_phone="13900000002", ship_detail="别处 2 号")
    pay(b, order)
    states = sorted(Reward.objects.values_list("state", flat=True))
    assert states == ["granted", "held"]
    assert "ip_limit" in Reward.objects.get(state="held").reasons


def test_cap_per_inviter_per_period(shop, settings):
    settings.REFERRAL_REWARD_CAP = 1
    inviter = UserFactory()
    people = [UserFactory() for _ in range(2)]
    for i, person in enumerate(people):
        invite(inviter, person, ip=f"10.0.1.{i}", fp=f"fp{i}")
        order = checkout(person, [(sku_of(shop["a"]), 1)], key=f"order-cap{i}")
        Order.objects.filter(pk=order.pk).update(ship_phone=f"1390000000{i}", ship_detail=f"地址 {i}")
        pay(person, order)
    assert sorted(Reward.objects.values_list("state", flat=True)) == ["capped", "granted"]
    assert Reward.objects.get(state="capped").amount == 0


def test_full_refund_voids_partial_does_not(shop, buyer):
    inviter = UserFactory()
    invite(inviter, buyer)
    order = checkout(buyer, [(sku_of(shop["a"]), 2)], key="order-k-r")
    pay(buyer, order)
    line = order.lines.get()
    approve_refund(shop["staff_a"], request_refund(buyer, line.pk, kind="refund_only", quantity=1, reason="少了").pk)
    assert Reward.objects.get().state == "granted"
    approve_refund(shop["staff_a"], request_refund(buyer, line.pk, kind="refund_only", quantity=1, reason="都退").pk)
    reward = Reward.objects.get()
    assert reward.state == "void" and "order_refunded" in reward.reasons


def test_ban_voids_held_rewards(shop, buyer):
    inviter = UserFactory()
    Sighting.objects.create(user=inviter, ip="10.3.3.3", fingerprint="dev")
    invite(inviter, buyer, fp="dev")
    buy(buyer, shop["a"])
    assert services.void_pending_for_banned(inviter, shop["a"].brand_id) == 1
    assert Reward.objects.get().state == "void"


def test_review_by_brand_staff_only(shop, buyer):
    inviter = UserFactory()
    Sighting.objects.create(user=inviter, ip="10.3.3.3", fingerprint="dev")
    invite(inviter, buyer, fp="dev")
    buy(buyer, shop["a"])
    reward = Reward.objects.get()
    with pytest.raises(PermissionDenied):
        services.decide(shop["staff_b"], reward.pk, approve=True)
    services.decide(shop["staff_a"], reward.pk, approve=True)
    assert Reward.objects.get().state == "granted"
    with pytest.raises(Conflict):
        services.decide(shop["staff_a"], reward.pk, approve=False)  # decided once


def test_invite_link_registration_and_pages(client, shop):
    inviter = UserFactory()
    code = services.invite_code(inviter)
    assert client.get("/invite/1-deadbeef/").status_code == 404  # tampered
    r = client.get(f"/invite/{code}/")
    assert r.status_code == 200 and services.DEVICE_COOKIE in r.cookies
    r = client.post("/accounts/register/", {"username": "newbie", "password": PASSWORD, "password2": PASSWORD,
                                            "nickname": "新人", "city": "杭州"})
    assert r.status_code == 302, r.content.decode()[:2000]
    referral = Referral.objects.get()
    assert referral.inviter == inviter and referral.invitee.username == "newbie"
    client.force_login(inviter)
    page = client.get("/me/invite/").content.decode()
    assert "newbie" in page or "新人" in page
    assert Sighting.objects.filter(user=inviter).exists()


def test_existing_account_cannot_be_invited(client):
    inviter = UserFactory()
    old = UserFactory()
    type(old).objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=3))
    client.get(f"/invite/{services.invite_code(inviter)}/")
    client.force_login(old)
    assert Referral.objects.count() == 0


def test_console_queue_and_api(client, shop, buyer):
    from tests.api.conftest import Api
    from tribe.accounts.services import issue_token

    inviter = UserFactory()
    Sighting.objects.create(user=inviter, ip="10.3.3.3", fingerprint="dev")
    invite(inviter, buyer, fp="dev")
    buy(buyer, shop["a"])
    reward = Reward.objects.get()
    staff = shop["staff_a"]
    client.force_login(staff)
    slug = shop["a"].brand.slug
    assert "same_device" in client.get(f"/console/{slug}/rewards/").content.decode()
    outsider = MembershipFactory().user
    api_out = Api(client, issue_token(outsider))
    assert api_out.get(f"/console/brands/{slug}/rewards").status_code == 403
    api = Api(client, issue_token(staff))
    body = api.get(f"/console/brands/{slug}/rewards", {"state": "held"}).json()
    assert body["count"] == 1 and body["items"][0]["reasons"] == ["same_device"]
    assert api.post(f"/console/brands/{slug}/rewards/{reward.pk}/approve").json()["state"] == "granted"
    assert api.post(f"/console/brands/{slug}/rewards/{reward.pk}/approve").status_code == 409
    mine = Api(client, issue_token(inviter)).get("/me/invite").json()
    assert mine["invited"] == 1 and mine["converted"] == 1 and mine["rewards"][0]["state"] == "granted"
