"""Coupons at checkout: each benefit with exact fen splits, scope, threshold, stacking, the guarded use at
placement, returns on cancel/expiry/full refund, and bad input."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from tests.coupons.conftest import give
from tests.factories import UserFactory
from tests.orders.conftest import ADDRESS, checkout, pay, sku_of
from tribe.aftersales.services import approve_refund, refund_order, request_refund
from tribe.core.errors import Conflict, ValidationFailed
from tribe.coupons import redemption, services
from tribe.coupons.models import UserCoupon
from tribe.orders import checkout as orders_checkout
from tribe.orders.checkout import CampaignPrice, place_direct_order, quote_direct
from tribe.orders.models import LineAdjustment, Order
from tribe.orders.pricing import PricedLine, PricingContext
from tribe.orders.services import cancel_order, run_due

D = Decimal


def shares(order):
    return {(a.line.product_id, a.code): a.amount for a in LineAdjustment.objects.filter(line__order=order)
            .select_related("line")}


def test_amount_off_splits_by_largest_remainder_and_marks_the_coupon_used(mall, buyer):
    coupon = give(mall, buyer)  # 满100减20
    order = checkout(buyer, [(sku_of(mall["a"]), 1), (sku_of(mall["b"]), 2)], options={"coupons": [coupon.pk]})
    # 2000 fen over 60.00 : 51.00 → 1081.08 / 918.92 → 1081 + 919 (the larger remainder gets the fen)
    assert shares(order) == {(mall["a"].pk, coupon.code): D("10.81"), (mall["b"].pk, coupon.code): D("9.19")}
    assert (order.subtotal, order.discount_total, order.shipping_total, order.total) == (
        D("111.00"), D("20.00"), D("8.00"), D("99.00"))
    coupon.refresh_from_db()
    assert (coupon.state, coupon.order_id, coupon.discount) == ("used", order.pk, D("20.00"))


def test_percent_off_is_capped(mall, buyer):
    ten = give(mall, buyer, benefit="percent_off", percent_off=20, max_discount="15.00", threshold="0", amount="0")
    order = checkout(buyer, [(sku_of(mall["a"]), 1), (sku_of(mall["c"]), 1)], options={"coupons": [ten.pk]})
    assert shares(order) == {(mall["a"].pk, ten.code): D("12.00"), (mall["c"].pk, ten.code): D("2.00")}
    capped = give(mall, buyer, benefit="percent_off", percent_off=20, max_discount="15.00", threshold="0", amount="0")
    order2 = checkout(buyer, [(sku_of(mall["a"]), 2)], key="checkout-0002", options={"coupons": [capped.pk]})
    assert order2.discount_total == D("15.00")  # 20% of 120.00 is 24.00, capped at 15.00


def test_fixed_price_brings_in_scope_items_to_the_price_each(mall, buyer):
    coupon = give(mall, buyer, benefit="fixed_price", amount="19.90", threshold="0", scope="products",
                  scope_products=[mall["b"].pk])
    order = checkout(buyer, [(sku_of(mall["a"]), 1), (sku_of(mall["b"]), 2)], options={"coupons": [coupon.pk]})
    assert shares(order) == {(mall["b"].pk, coupon.code): D("11.20")}  # 51.00 → 2 × 19.90 = 39.80
    assert order.discount_total == D("11.20")


def test_nth_item_discount_per_line(mall, buyer):
    coupon = give(mall, buyer, benefit="nth_discount", nth=2, percent_off=50, threshold="0", amount="0")
    order = checkout(buyer, [(sku_of(mall["a"]), 3), (sku_of(mall["c"]), 1)], options={"coupons": [coupon.pk]})
    assert shares(order) == {(mall["a"].pk, coupon.code): D("30.00")}  # one 2nd unit of a at half price
    lonely = give(mall, buyer, benefit="nth_discount", nth=2, percent_off=50, threshold="0", amount="0")
    with pytest.raises(ValidationFailed) as err:
        quote_direct(buyer, sku_of(mall["c"]).pk, 1, options={"coupons": [lonely.pk]})
    assert err.value.code == "coupon_not_applicable"


def test_free_shipping_waives_the_covered_stores_fee_and_is_used(mall, buyer):
    coupon = give(mall, buyer, benefit="free_shipping", threshold="50.00", amount="0")
    order = checkout(buyer, [(sku_of(mall["a"]), 1), (sku_of(mall["x"]), 1)], options={"coupons": [coupon.pk]})
    fees = {so.store_id: so.shipping_fee for so in order.store_orders.all()}
    assert fees == {mall["store"].pk: D("0.00"), mall["x"].store_id: D("8.00")}  # only the brand's store
    assert (order.discount_total, order.shipping_total, order.total) == (D("0.00"), D("8.00"), D("118.00"))
    coupon.refresh_from_db()
    assert (coupon.state, coupon.order_id) == ("used", order.pk)
    below = give(mall, buyer, benefit="free_shipping", threshold="100.00", amount="0")
    with pytest.raises(ValidationFailed) as err:
        quote_direct(buyer, sku_of(mall["a"]).pk, 1, options={"coupons": [below.pk]})
    assert err.value.code == "coupon_threshold"


def test_free_shipping_names_the_covered_stores_for_checkout(mall, buyer):
    coupon = give(mall, buyer, benefit="free_shipping", threshold="50.00", amount="0")
    sku = sku_of(mall["a"])
    line = PricedLine(key=sku.pk, sku=sku, product=mall["a"], store_id=mall["store"].pk, unit_price=D("60.00"),
                      quantity=1)
    ctx = PricingContext(user=buyer, lines=[line], options={"coupons": [coupon.pk]})
    assert redemption.adjuster(ctx) == []
    assert ctx.options["free_shipping_stores"] == {mall["store"].pk}
    assert line.discount == D("0.00")


def test_category_scope_includes_sub_categories_only(mall, buyer):
    coupon = give(mall, buyer, benefit="percent_off", percent_off=10, threshold="0", amount="0", scope="category",
                  scope_category=mall["shoes"].pk)
    order = checkout(buyer, [(sku_of(mall["a"]), 1), (sku_of(mall["b"]), 2), (sku_of(mall["c"]), 1)],
                     options={"coupons": [coupon.pk]})
    assert shares(order) == {(mall["a"].pk, coupon.code): D("6.00"), (mall["b"].pk, coupon.code): D("5.10")}


def test_store_scope(mall, buyer):
    coupon = give(mall, buyer, threshold="0", amount="5.00", scope="store", scope_store=mall["store"].pk)
    order = checkout(buyer, [(sku_of(mall["c"]), 1), (sku_of(mall["x"]), 1)], options={"coupons": [coupon.pk]})
    assert shares(order) == {(mall["c"].pk, coupon.code): D("5.00")}


@pytest.mark.parametrize("items,code", [
    (["x"], "coupon_out_of_scope"),  # another brand's product
    (["c"], "coupon_out_of_scope"),  # not a listed product
])
def test_a_named_coupon_that_cannot_apply_is_422_and_nothing_is_written(mall, buyer, items, code):
    coupon = give(mall, buyer, threshold="0", amount="5.00", scope="products", scope_products=[mall["a"].pk])
    with pytest.raises(ValidationFailed) as err:
        checkout(buyer, [(sku_of(mall[k]), 1) for k in items], options={"coupons": [coupon.pk]})
    assert err.value.code == code and err.value.status == 422
    assert Order.objects.count() == 0
    assert UserCoupon.objects.get(pk=coupon.pk).state == "available"


def test_threshold_counts_only_in_scope_lines(mall, buyer):
    coupon = give(mall, buyer, scope="products", scope_products=[mall["a"].pk])  # 满100减20 on a only
    with pytest.raises(ValidationFailed) as err:
        checkout(buyer, [(sku_of(mall["a"]), 1), (sku_of(mall["c"]), 5)], options={"coupons": [coupon.pk]})
    assert err.value.code == "coupon_threshold"
    order = checkout(buyer, [(sku_of(mall["a"]), 2)], key="checkout-0002", options={"coupons": [coupon.pk]})
    assert order.discount_total == D("20.00")


def test_non_stackable_coupons_are_not_combined(mall, buyer):
    one = give(mall, buyer, threshold="0", amount="5.00")
    two = give(mall, buyer, threshold="0", amount="6.00")
    with pytest.raises(ValidationFailed) as err:
        checkout(buyer, [(sku_of(mall["a"]), 2)], options={"coupons": [one.pk, two.pk]})
    assert err.value.code == "coupon_not_stackable"


def test_stackable_coupons_apply_in_priority_order(mall, buyer):
    pct = give(mall, buyer, benefit="percent_off", percent_off=10, threshold="0", amount="0", stackable=True,
               priority=10)
    cash = give(mall, buyer, threshold="0", amount="10.00", stackable=True, priority=0)
    order = checkout(buyer, [(sku_of(mall["a"]), 2)], options={"coupons": [cash.pk, pct.pk]})
    # 10% of 120.00 first (priority 10), then 10.00 off what is left
    assert shares(order) == {(mall["a"].pk, pct.code): D("12.00"), (mall["a"].pk, cash.code): D("10.00")}
    assert set(UserCoupon.objects.filter(order=order).values_list("state", flat=True)) == {"used"}


def test_play_price_stacking_rule(mall, buyer):
    plain = give(mall, buyer, threshold="0", amount="5.00")
    play = CampaignPrice("groupbuy:1", "拼团价", D("50.00"))
    with pytest.raises(ValidationFailed) as err:
        quote_direct(buyer, sku_of(mall["a"]).pk, 1, options={"coupons": [plain.pk]}, campaign=play)
    assert err.value.code == "coupon_not_with_play_price"
    both = give(mall, buyer, threshold="0", amount="5.00", with_play_price=True)
    order = place_direct_order(buyer, sku_of(mall["a"]).pk, 1, address=ADDRESS, idempotency_key="direct-0001",
                               options={"coupons": [both.pk]}, campaign=play)
    assert order.discount_total == D("15.00")  # 10.00 play price + 5.00 coupon


def test_a_used_coupon_is_409_on_the_next_checkout(mall, buyer):
    coupon = give(mall, buyer, threshold="0", amount="5.00")
    checkout(buyer, [(sku_of(mall["a"]), 1)], options={"coupons": [coupon.pk]})
    with pytest.raises(Conflict) as err:
        checkout(buyer, [(sku_of(mall["a"]), 1)], key="checkout-0002", options={"coupons": [coupon.pk]})
    assert err.value.code == "coupon_used"


def test_a_coupon_taken_between_pricing_and_placement_rolls_the_order_back(mall, buyer):
    coupon = give(mall, buyer, threshold="0", amount="5.00")

    def other_tab(order):  # what a second tab's committed order does to the row meanwhile
        UserCoupon.objects.filter(pk=coupon.pk).update(state="used")

    with pytest.raises(Conflict) as err:
        place_direct_order(buyer, sku_of(mall["a"]).pk, 1, address=ADDRESS, idempotency_key="direct-0001",
                           options={"coupons": [coupon.pk]}, before_commit=other_tab)
    assert err.value.code == "coupon_used" and err.value.status == 409
    assert Order.objects.count() == 0 and LineAdjustment.objects.count() == 0
    assert sku_of(mall["a"]).stock == 50


def test_cancelled_order_returns_the_coupon(mall, buyer):
    coupon = give(mall, buyer, threshold="0", amount="5.00")
    order = checkout(buyer, [(sku_of(mall["a"]), 1)], options={"coupons": [coupon.pk]})
    cancel_order(buyer, order.pk)
    coupon.refresh_from_db()
    assert (coupon.state, coupon.order_id, coupon.discount) == ("available", None, D("0.00"))


def test_expired_unpaid_order_returns_it_or_expires_it(mall, buyer):
    coupon = give(mall, buyer, threshold="0", amount="5.00", valid_days=1)
    checkout(buyer, [(sku_of(mall["a"]), 1)], options={"coupons": [coupon.pk]})
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        run_due()
    assert UserCoupon.objects.get(pk=coupon.pk).state == "available"
    other = give(mall, buyer, threshold="0", amount="5.00", valid_days=1)
    checkout(buyer, [(sku_of(mall["a"]), 1)], key="checkout-0002", options={"coupons": [other.pk]})
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        run_due()
    assert UserCoupon.objects.get(pk=other.pk).state == "expired"


def test_full_refund_returns_the_coupon_when_the_template_says_so(mall, buyer):
    back = give(mall, buyer, threshold="0", amount="5.00")
    kept = give(mall, buyer, threshold="0", amount="5.00", return_on_refund=False)
    o1 = checkout(buyer, [(sku_of(mall["a"]), 1), (sku_of(mall["c"]), 1)], options={"coupons": [back.pk]})
    o2 = checkout(buyer, [(sku_of(mall["a"]), 1)], key="checkout-0002", options={"coupons": [kept.pk]})
    for order in (o1, o2):
        pay(buyer, order)
        refund_order(order.pk, reason="测试")
    assert UserCoupon.objects.get(pk=back.pk).state == "available"
    assert UserCoupon.objects.get(pk=kept.pk).state == "used"


def test_partial_refund_keeps_the_coupon_used(mall, buyer):
    coupon = give(mall, buyer, threshold="0", amount="5.00")
    order = checkout(buyer, [(sku_of(mall["a"]), 1), (sku_of(mall["c"]), 1)], options={"coupons": [coupon.pk]})
    pay(buyer, order)
    line = order.lines.get(product=mall["c"])
    req = request_refund(buyer, line.pk, kind="refund_only", quantity=1, reason="不要了")
    approve_refund(mall["staff"], req.pk)
    line.refresh_from_db()
    assert line.refunded_amount == line.paid_amount == D("9.29")  # 10.00 less its 0.71 share of the coupon
    assert UserCoupon.objects.get(pk=coupon.pk).state == "used"


def test_expiry_with_moved_time(mall, buyer):
    coupon = give(mall, buyer, threshold="0", amount="5.00", valid_days=3)
    with time_machine.travel(timezone.now() + timedelta(days=3, seconds=1)):
        with pytest.raises(ValidationFailed) as err:
            quote_direct(buyer, sku_of(mall["a"]).pk, 1, options={"coupons": [coupon.pk]})
        assert err.value.code == "coupon_expired"
        assert services.expire_due() == 1
    assert UserCoupon.objects.get(pk=coupon.pk).state == "expired"


def test_fixed_use_window_not_started_yet(mall, buyer):
    now = timezone.now()
    coupon = give(mall, buyer, threshold="0", amount="5.00", valid_days=None, use_from=now + timedelta(days=1),
                  use_until=now + timedelta(days=2))
    with pytest.raises(ValidationFailed) as err:
        quote_direct(buyer, sku_of(mall["a"]).pk, 1, options={"coupons": [coupon.pk]})
    assert err.value.code == "coupon_not_started"


@pytest.mark.parametrize("raw", ["1", [True], [0], [1.5], [2**63], {"id": 1}, [1, 2, 3, 4, 5, 6]])
def test_bad_coupon_options_are_422(mall, buyer, raw):
    with pytest.raises(ValidationFailed):
        quote_direct(buyer, sku_of(mall["a"]).pk, 1, options={"coupons": raw})


def test_someone_elses_coupon_is_422(mall, buyer):
    theirs = give(mall, UserFactory(), threshold="0", amount="5.00")
    with pytest.raises(ValidationFailed) as err:
        quote_direct(buyer, sku_of(mall["a"]).pk, 1, options={"coupons": [theirs.pk]})
    assert err.value.code == "coupon_not_found"


def test_best_coupons_picks_the_largest_saving_then_stacks(mall, buyer):
    give(mall, buyer, threshold="0", amount="5.00")
    big = give(mall, buyer)  # 满100减20
    give(mall, buyer, threshold="0", amount="30.00", scope="products", scope_products=[mall["c"].pk])  # 10 at most
    quote = orders_checkout.quote_direct(buyer, sku_of(mall["a"]).pk, 2)
    best = redemption.best_coupons(buyer, [ln for s in quote.stores for ln in s.lines])
    assert best["coupons"] == [big.pk] and best["discount"] == D("20.00")
    errors = sorted(o["error"] for o in best["options"])
    assert errors == ["", "", "coupon_out_of_scope"]

    s1 = give(mall, buyer, threshold="0", amount="21.00", stackable=True)
    s2 = give(mall, buyer, threshold="0", amount="3.00", stackable=True)
    best = redemption.best_coupons(buyer, [ln for s in quote.stores for ln in s.lines])
    assert best["coupons"] == [s1.pk, s2.pk] and best["discount"] == D("24.00")


def test_exclusive_coupon_refuses_lines_with_other_discounts(mall, buyer):
    from tribe.orders.pricing import Adjustment, register_adjuster, unregister_adjuster

    coupon = give(mall, buyer, threshold="0", amount="5.00", exclusive=True)
    register_adjuster("test_member_price", lambda ctx: [Adjustment("member", "会员价", D("1.00"))], priority=10)
    try:
        with pytest.raises(ValidationFailed) as err:
            quote_direct(buyer, sku_of(mall["a"]).pk, 1, options={"coupons": [coupon.pk]})
        assert err.value.code == "coupon_exclusive"
    finally:
        unregister_adjuster("test_member_price")
    assert quote_direct(buyer, sku_of(mall["a"]).pk, 1, options={"coupons": [coupon.pk]}).discount_total == D("5.00")


def test_refund_after_the_window_expires_the_coupon_instead(mall, buyer):
    coupon = give(mall, buyer, threshold="0", amount="5.00", valid_days=1)
    order = checkout(buyer, [(sku_of(mall["a"]), 1)], options={"coupons": [coupon.pk]})
    pay(buyer, order)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        refund_order(order.pk, reason="测试")
    coupon.refresh_from_db()
    assert (coupon.state, coupon.order_id) == ("expired", None)


def test_redeem_and_return_events_carry_the_campaign(mall, buyer):
    from tribe.core.events import Event

    coupon = give(mall, buyer, threshold="0", amount="5.00")
    order = checkout(buyer, [(sku_of(mall["a"]), 1)], options={"coupons": [coupon.pk]})
    cancel_order(buyer, order.pk)
    code = coupon.template.code
    names = list(Event.objects.filter(props__campaign=code).order_by("pk").values_list("name", flat=True))
    assert names[-3:] == ["coupon_granted", "coupon_redeemed", "coupon_returned"]
