"""Templates and granting: validation, stock and per-user limits, idempotent refs, claiming only live public
templates, void, segment pushes to opted-in users only, frozen value once granted."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from tests.coupons.conftest import template
from tests.factories import UserFactory
from tests.orders.conftest import checkout, pay, sku_of
from tribe.campaigns.services import move
from tribe.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tribe.core.events import Event
from tribe.coupons import services
from tribe.coupons.models import CouponTemplate, UserCoupon
from tribe.fans.models import FanCommunity, FanMember
from tribe.social.models import Follow


def test_stock_and_per_user_limit(mall):
    tpl = template(mall, total_quantity=3, per_user_limit=2)
    alice, bob = UserFactory(), UserFactory()
    services.claim(alice, tpl.pk)
    services.claim(alice, tpl.pk)
    with pytest.raises(Conflict) as err:
        services.claim(alice, tpl.pk)
    assert err.value.code == "coupon_limit"
    services.claim(bob, tpl.pk)
    with pytest.raises(Conflict) as err:
        services.claim(UserFactory(), tpl.pk)
    assert err.value.code == "coupon_out_of_stock"
    tpl.refresh_from_db()
    assert tpl.granted_count == 3 == UserCoupon.objects.filter(template=tpl).count()
    assert Event.objects.filter(name="coupon_claimed", props__campaign=tpl.code).count() == 3


def test_grant_is_idempotent_on_ref(mall):
    tpl = template(mall, total_quantity=5, per_user_limit=3)
    user = UserFactory()
    first = services.grant(tpl, user, source="referral", ref="reward:9")
    again = services.grant(tpl.pk, user, source="referral", ref="reward:9")
    assert first.pk == again.pk and again.replayed
    tpl.refresh_from_db()
    assert tpl.granted_count == 1


def test_grant_validity_fixed_window_or_days(mall):
    now = timezone.now()
    days = services.grant(template(mall, valid_days=7), UserFactory(), source="campaign")
    assert days.valid_to - days.valid_from == timedelta(days=7)
    until = now + timedelta(days=2)
    fixed = services.grant(template(mall, valid_days=None, use_until=until), UserFactory(), source="campaign")
    assert fixed.valid_to == until


def test_claim_refuses_hidden_unstarted_paused_and_ended(mall):
    user = UserFactory()
    with pytest.raises(NotFound):
        services.claim(user, template(mall, claimable=False).pk)
    with pytest.raises(Conflict) as err:
        services.claim(user, template(mall, start=False).pk)
    assert err.value.code == "campaign_draft"
    running = template(mall)
    move(mall["staff"], running, "pause")
    with pytest.raises(Conflict) as err:
        services.claim(user, running.pk)
    assert err.value.code == "campaign_paused"
    move(mall["staff"], running, "end")
    with pytest.raises(Conflict) as err:
        services.grant(running, user, source="campaign")
    assert err.value.code == "campaign_ended"
    with pytest.raises(NotFound):
        services.claim(user, 2**63)
    assert UserCoupon.objects.count() == 0


def test_claim_window_with_moved_time(mall):
    tpl = template(mall)
    with time_machine.travel(tpl.ends_at + timedelta(seconds=1)):
        with pytest.raises(Conflict) as err:
            services.claim(UserFactory(), tpl.pk)
    assert err.value.code == "campaign_ended"


def test_void_takes_back_an_unused_coupon_only(mall, buyer):
    tpl = template(mall, threshold="0", amount="5.00", per_user_limit=2)
    spare = services.grant(tpl, buyer, source="share_reward", ref="r:1")
    assert services.void(spare.pk, reason="奖励作废").state == "void"
    assert services.void(spare.pk, reason="again").state == "void"  # idempotent
    used = services.grant(tpl, buyer, source="share_reward", ref="r:2")
    checkout(buyer, [(sku_of(mall["a"]), 1)], options={"coupons": [used.pk]})
    with pytest.raises(Conflict) as err:
        services.void(used.pk, reason="x")
    assert err.value.code == "coupon_used"
    with pytest.raises(NotFound):
        services.void(10**12, reason="x")


@pytest.mark.parametrize("fields,field", [
    ({"title": ""}, "title"),
    ({"benefit": "bogus"}, "benefit"),
    ({"amount": "0"}, "amount"),
    ({"amount": "200.00"}, "amount"),  # more than the 100.00 threshold
    ({"amount": "1.234"}, "amount"),
    ({"benefit": "percent_off", "percent_off": 0}, "percent_off"),
    ({"benefit": "percent_off", "percent_off": 100}, "max_discount"),
    ({"scope": "store", "scope_store": None}, "v"),
    ({"scope": "products", "scope_products": []}, "scope_products"),
    ({"valid_days": None}, "valid_days"),
    ({"exclusive": True, "stackable": True}, "exclusive"),
    ({"per_user_limit": 0}, "per_user_limit"),
    ({"ends_at": timezone.now() - timedelta(days=30)}, "ends_at"),
])
def test_bad_template_input_is_422_and_writes_nothing(mall, fields, field):
    with pytest.raises(ValidationFailed) as err:
        template(mall, start=False, **fields)
    assert field in err.value.fields or err.value.status == 422
    assert CouponTemplate.objects.count() == 0


def test_scope_must_stay_inside_the_brand(mall):
    with pytest.raises(ValidationFailed) as err:
        template(mall, scope="products", scope_products=[mall["x"].pk])
    assert "scope_products" in err.value.fields
    with pytest.raises(ValidationFailed):
        template(mall, scope="store", scope_store=mall["x"].store.pk)


def test_only_brand_staff_manage_templates(mall):
    with pytest.raises(PermissionDenied):
        services.create_template(UserFactory(), mall["brand"], {"title": "x"})


def test_value_is_frozen_once_granted_but_stock_can_grow(mall, buyer):
    tpl = template(mall, total_quantity=2)
    services.grant(tpl, buyer, source="campaign")
    with pytest.raises(Conflict) as err:
        services.update_template(mall["staff"], tpl, {"amount": "30.00"})
    assert err.value.code == "coupon_template_in_use"
    with pytest.raises(ValidationFailed):
        services.update_template(mall["staff"], tpl, {"total_quantity": 0})
    updated = services.update_template(mall["staff"], tpl, {"total_quantity": 10, "title": "新名字"})
    assert (updated.total_quantity, updated.title, updated.amount) == (10, "新名字", Decimal("20.00"))


def test_segment_grant_reaches_opted_in_targets_once(mall):
    tpl = template(mall, total_quantity=3)
    fans = FanCommunity.objects.create(brand=mall["brand"], name="粉丝")
    yes1, yes2, no = UserFactory(allow_promotions=True), UserFactory(allow_promotions=True), UserFactory()
    for u in (yes1, yes2, no):
        Follow.objects.create(follower=u, brand=mall["brand"])
    FanMember.objects.create(community=fans, user=yes1)
    result = services.grant_segment(mall["staff"], tpl, "followers", batch="b1")
    assert result == {"targets": 2, "granted": 2, "already": 0, "limit": 0, "out_of_stock": 0}
    assert services.grant_segment(mall["staff"], tpl, "followers", batch="b1")["already"] == 2  # double submit
    assert services.grant_segment(mall["staff"], tpl, "fans", batch="b2")["limit"] == 1  # 1 per person
    assert not UserCoupon.objects.filter(user=no).exists()
    assert set(UserCoupon.objects.values_list("source", flat=True)) == {"segment"}


def test_segment_buyers_and_usernames(mall, buyer):
    tpl = template(mall, total_quantity=1)
    buyer.allow_promotions = True
    buyer.save()
    pay(buyer, checkout(buyer, [(sku_of(mall["a"]), 1)]))
    assert services.grant_segment(mall["staff"], tpl, "buyers", days=30, batch="b")["granted"] == 1
    other = UserFactory(allow_promotions=True)
    result = services.grant_segment(mall["staff"], tpl, "usernames", usernames=f"{other.username}\nnobody",
                                    batch="c")
    assert result == {"targets": 1, "granted": 0, "already": 0, "limit": 0, "out_of_stock": 1}
    with pytest.raises(ValidationFailed):
        services.grant_segment(mall["staff"], tpl, "buyers", days=0)
    with pytest.raises(ValidationFailed):
        services.grant_segment(mall["staff"], tpl, "everyone")


def test_expiry_sweep_is_a_periodic_job(mall, buyer):
    from tribe.core.periodic import JOBS
    from tribe.coupons.tasks import expire_coupons_task

    assert any(j.name == "coupons.expire" for j in JOBS)
    coupon = services.grant(template(mall, valid_days=1), buyer, source="campaign")
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert expire_coupons_task.call() == 1
    assert UserCoupon.objects.get(pk=coupon.pk).state == "expired"
