"""Binding rules over time, and the LineAttribution snapshot taken when an order is placed."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from tests.distribution.conftest import buy
from tests.factories import ProductFactory, UserFactory
from tribe.distribution import services
from tribe.distribution.clicks import bind, move_to_user
from tribe.distribution.models import Binding, LineAttribution, ProductRate, Promoter

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def _bound_to(shop, user):
    return Binding.objects.get(brand=shop.brand, visitor=user).promoter_id


def test_first_click_keeps_forever(shop):
    shop.program.binding = "first_click"
    shop.program.save()
    with time_machine.travel(T0, tick=False):
        bind(shop.brand, shop.promoter, visitor=shop.buyer)
    with time_machine.travel(T0 + timedelta(days=400), tick=False):
        bind(shop.brand, shop.other, visitor=shop.buyer)
        assert _bound_to(shop, shop.buyer) == shop.promoter.pk
        assert Binding.objects.get(visitor=shop.buyer).expires_at is None


def test_window_holds_then_expires_after_n_days(shop):
    with time_machine.travel(T0, tick=False):
        bind(shop.brand, shop.promoter, visitor=shop.buyer)
    with time_machine.travel(T0 + timedelta(days=29), tick=False):
        bind(shop.brand, shop.other, visitor=shop.buyer)
        assert _bound_to(shop, shop.buyer) == shop.promoter.pk
    with time_machine.travel(T0 + timedelta(days=30, seconds=1), tick=False):
        order = buy(shop.buyer, shop.product)
        assert not LineAttribution.objects.filter(line__order=order).exists()  # expired: nobody earns
        bind(shop.brand, shop.other, visitor=shop.buyer)
        assert _bound_to(shop, shop.buyer) == shop.other.pk


def test_last_click_replaces(shop):
    shop.program.binding = "last_click"
    shop.program.save()
    with time_machine.travel(T0, tick=False):
        bind(shop.brand, shop.promoter, visitor=shop.buyer)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        bind(shop.brand, shop.other, visitor=shop.buyer)
    assert _bound_to(shop, shop.buyer) == shop.other.pk
    order = buy(shop.buyer, shop.product, 2)
    row = LineAttribution.objects.get(line__order=order)
    assert (row.promoter_id, row.rule, row.base_amount, row.commission) == (
        shop.other.pk, "last_click", Decimal("200.00"), Decimal("20.00"))


def test_snapshot_unchanged_after_rule_and_rate_edits(shop):
    bind(shop.brand, shop.promoter, visitor=shop.buyer)
    order = buy(shop.buyer, shop.product)
    before = list(LineAttribution.objects.filter(line__order=order).values("rate", "commission", "rule"))
    # when the brand changes its terms and the product gets its own rate
    services.save_program(shop.staff, shop.brand, binding="last_click", default_rate="0.3000")
    ProductRate.objects.create(product=shop.product, rate=Decimal("0.2500"))
    # then the placed order keeps its snapshot; a new order uses the product's rate
    assert list(LineAttribution.objects.filter(line__order=order).values("rate", "commission", "rule")) == before
    assert before == [{"rate": Decimal("0.1000"), "commission": Decimal("10.00"), "rule": "window"}]
    second = buy(shop.buyer, shop.product, key="checkout-0002")
    assert LineAttribution.objects.get(line__order=second).commission == Decimal("25.00")


def test_commission_rounds_half_up_to_the_fen(shop):
    product = ProductFactory(store=shop.store, skus=[{"price": Decimal("0.05"), "stock": 5}])
    bind(shop.brand, shop.promoter, visitor=shop.buyer)
    order = buy(shop.buyer, product)
    assert LineAttribution.objects.get(line__order=order).commission == Decimal("0.01")  # 0.005 → 0.01


def test_self_purchase_earns_nothing(shop):
    Binding.objects.create(brand=shop.brand, visitor=shop.promoter.user, promoter=shop.promoter, rule="window")
    order = buy(shop.promoter.user, shop.product)
    assert not LineAttribution.objects.filter(line__order=order).exists()


@pytest.mark.parametrize("state", [Promoter.State.FROZEN, Promoter.State.BANNED, Promoter.State.PENDING])
def test_inactive_promoter_gets_nothing(shop, state):
    bind(shop.brand, shop.promoter, visitor=shop.buyer)
    Promoter.objects.filter(pk=shop.promoter.pk).update(state=state)
    order = buy(shop.buyer, shop.product)
    assert not LineAttribution.objects.filter(line__order=order).exists()


def test_only_lines_of_the_bound_brand_are_attributed(shop):
    foreign = ProductFactory(skus=[{"price": Decimal("50.00"), "stock": 5}])
    bind(shop.brand, shop.promoter, visitor=shop.buyer)
    order = checkout_two(shop.buyer, shop.product, foreign)
    rows = list(LineAttribution.objects.filter(line__order=order))
    assert [(r.line.product_id, r.position) for r in rows] == [(shop.product.pk, 0)]


def checkout_two(buyer, a, b):
    from tests.orders.conftest import checkout

    return checkout(buyer, [(a.skus.first(), 1), (b.skus.first(), 1)], key="checkout-two1")


def test_assist_gets_30_percent_when_two_promoters_allowed(shop):
    from tribe.distribution.models import ShareClick

    shop.program.max_promoters_per_line = 2
    shop.program.binding = "last_click"
    shop.program.save()
    with time_machine.travel(T0, tick=False):
        ShareClick.objects.create(sharer=shop.other.user, brand=shop.brand, kind="product", visitor=shop.buyer)
        bind(shop.brand, shop.other, visitor=shop.buyer)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        ShareClick.objects.create(sharer=shop.promoter.user, brand=shop.brand, kind="product", visitor=shop.buyer)
        bind(shop.brand, shop.promoter, visitor=shop.buyer)
    order = buy(shop.buyer, shop.product, 1)
    rows = list(LineAttribution.objects.filter(line__order=order).order_by("position"))
    assert [(r.promoter_id, r.position, r.rate, r.commission) for r in rows] == [
        (shop.promoter.pk, 0, Decimal("0.0700"), Decimal("7.00")),
        (shop.other.pk, 1, Decimal("0.0300"), Decimal("3.00")),
    ]


def test_default_is_exactly_one_promoter_per_line(shop):
    from tribe.distribution.models import ShareClick

    ShareClick.objects.create(sharer=shop.other.user, brand=shop.brand, kind="product", visitor=shop.buyer)
    bind(shop.brand, shop.promoter, visitor=shop.buyer)
    order = buy(shop.buyer, shop.product)
    assert list(LineAttribution.objects.filter(line__order=order).values_list("promoter_id", flat=True)) == [
        shop.promoter.pk]


def test_anonymous_binding_moves_to_user_at_login(shop):
    bind(shop.brand, shop.promoter, session_key="anon-key-1")
    assert move_to_user(["anon-key-1"], shop.buyer) == 1
    assert _bound_to(shop, shop.buyer) == shop.promoter.pk
    assert not Binding.objects.filter(session_key="anon-key-1").exists()


def test_another_visitors_binding_does_not_count(shop):
    bind(shop.brand, shop.promoter, visitor=UserFactory())  # someone else's binding does not count
    order = buy(shop.buyer, shop.product)
    assert not LineAttribution.objects.filter(line__order=order).exists()


def test_anonymous_binding_matched_by_session_key_at_order_time(shop):
    from types import SimpleNamespace

    from django.contrib.sessions.backends.db import SessionStore

    # given a binding made before login, under a session key the browser's session remembers
    bind(shop.brand, shop.promoter, session_key="anon-key-2")
    session = SessionStore()
    session["tribe_dist_keys"] = ["anon-key-2"]
    request = SimpleNamespace(session=session, user=shop.buyer, META={}, GET={}, path="/checkout/")
    # when the order is placed from that browser
    order = buy(shop.buyer, shop.product, request=request)
    # then the anonymous binding is matched
    assert LineAttribution.objects.get(line__order=order).promoter_id == shop.promoter.pk
