"""Drawing: selection by the random number, stock, entries (share, order, points), limits, claims, refunds."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from tests.factories import UserFactory
from tests.lottery.conftest import make_lottery
from tests.orders.conftest import ADDRESS, checkout, pay
from tribe.core.errors import Conflict, ValidationFailed
from tribe.lottery import draws, odds, selectors, services
from tribe.lottery.models import Chance, Draw, Entrant, Lottery, Prize
from tribe.orders.models import LineAdjustment, Order

pytestmark = pytest.mark.django_db


def goods(shop, stock=1, weight=100, name="保温杯"):
    return {"kind": "goods", "name": name, "weight": weight, "stock": stock,
            "sku_id": shop["product"].skus.first().pk}


def none(weight):
    return {"kind": "none", "name": "谢谢参与", "weight": weight}


def _fixed(monkeypatch, *values):
    seq = list(values)
    monkeypatch.setattr(odds, "random_value", lambda total: seq.pop(0))


# ---- selection -------------------------------------------------------------------------------------------


def test_select_walks_the_prizes_by_weight_with_the_permille_remainder_as_none():
    a, b = Prize(name="a", kind="goods", weight=10), Prize(name="b", kind="goods", weight=90)
    assert [odds.select([a, b], v) for v in (0, 9, 10, 99)] == [a, a, b, b]
    assert odds.select([a, b], 100) is None
    assert odds.select([a, b], 999) is None
    with pytest.raises(ValueError):
        odds.select([a, b], -1)


def test_every_number_of_the_range_selects_exactly_its_weight(shop):
    lottery = Lottery(odds_mode="weight")
    prizes = [Prize(name="a", kind="goods", weight=3), Prize(name="b", kind="points", weight=5),
              Prize(name="c", kind="none", weight=2)]
    total = odds.odds_total(lottery, prizes)
    hits = [odds.select(prizes, v).name for v in range(total)]
    assert total == 10
    assert (hits.count("a"), hits.count("b"), hits.count("c")) == (3, 5, 2)


def test_the_real_generator_stays_in_range():
    values = {odds.random_value(7) for _ in range(500)}
    assert values <= set(range(7)) and len(values) == 7


def test_published_odds_sum_to_100_and_show_stock(shop):
    lottery = make_lottery(shop, [goods(shop, stock=3, weight=5), none(500)])
    rows = odds.published(lottery, list(lottery.prizes.all()))
    assert [(r.name, r.percent, r.stock_left) for r in rows] == [
        ("保温杯", Decimal("0.500"), 3), ("谢谢参与", Decimal("50.000"), None), ("谢谢参与", Decimal("49.500"), None)]
    assert sum(r.percent for r in rows) == Decimal("100.000")


# ---- drawing ---------------------------------------------------------------------------------------------


def test_a_winning_draw_records_the_number_and_the_stock_before_and_after(shop, player, monkeypatch):
    lottery = make_lottery(shop, [goods(shop, stock=2, weight=100), none(900)])
    draws.share(player, lottery.pk)
    _fixed(monkeypatch, 42)
    record = draws.draw(player, lottery.pk, "share")
    assert (record.random_value, record.random_range, record.prize.name) == (42, 1000, "保温杯")
    assert (record.stock_before, record.stock_after, record.award) == (2, 1, Draw.Award.TO_CLAIM)
    assert record.claim_by == record.created_at + timedelta(days=7)
    assert Prize.objects.get(kind="goods").stock == 1


def test_an_out_of_stock_prize_records_none_and_never_goes_negative(shop, player, monkeypatch):
    lottery = make_lottery(shop, [goods(shop, stock=1, weight=1000)], daily_limit=0)
    for day in range(2):
        Chance.objects.create(lottery=lottery, user=player, source="order", ref=f"order:x{day}", granted=1)
    lottery.order_min_amount = Decimal("10.00")
    lottery.save()
    _fixed(monkeypatch, 5, 6)
    first, second = draws.draw(player, lottery.pk, "order"), draws.draw(player, lottery.pk, "order")
    assert first.prize is not None and second.prize is None
    assert (second.picked_id, second.note, second.stock_before, second.stock_after) == (
        first.prize_id, "prize_out_of_stock", 0, 0)
    assert Prize.objects.get().stock == 0


def test_a_lottery_not_live_refuses_to_draw(shop, player):
    lottery = make_lottery(shop, [none(1000)], start=False)
    with pytest.raises(Exception) as exc:
        draws.draw(player, lottery.pk, "share")
    assert exc.value.status == 404  # a draft is not public
    services.move(shop["staff"], lottery, "start")
    services.move(shop["staff"], lottery, "pause")
    with pytest.raises(Conflict) as exc:
        draws.draw(player, lottery.pk, "share")
    assert exc.value.code == "campaign_paused"
    assert Draw.objects.count() == 0


def test_without_a_chance_nothing_is_written(shop, player):
    lottery = make_lottery(shop, [none(1000)])
    with pytest.raises(Conflict) as exc:
        draws.draw(player, lottery.pk, "share")
    assert exc.value.code == "no_chances"
    with pytest.raises(Conflict) as exc:
        draws.draw(player, lottery.pk, "points")
    assert exc.value.code == "entry_not_offered"
    with pytest.raises(ValidationFailed):
        draws.draw(player, lottery.pk, "free")
    assert Draw.objects.count() == 0 and Entrant.objects.count() == 0


def test_share_grants_one_chance_a_day(shop, player):
    lottery = make_lottery(shop, [none(1000)])
    assert draws.share(player, lottery.pk) is True
    assert draws.share(player, lottery.pk) is False
    draws.draw(player, lottery.pk, "share")
    with pytest.raises(Conflict):
        draws.draw(player, lottery.pk, "share")
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert draws.share(player, lottery.pk) is True
        assert draws.draw(player, lottery.pk, "share").entry == "share"
    assert Chance.objects.filter(user=player).count() == 2


def test_daily_and_total_limits(shop, player):
    lottery = make_lottery(shop, [none(1000)], daily_limit=1, total_limit=2, order_min_amount="10.00")
    Chance.objects.create(lottery=lottery, user=player, source="order", ref="order:test", granted=5)
    draws.draw(player, lottery.pk, "order")
    with pytest.raises(Conflict) as exc:
        draws.draw(player, lottery.pk, "order")
    assert exc.value.code == "draw_limit_daily"
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        draws.draw(player, lottery.pk, "order")
        with pytest.raises(Conflict) as exc:
            draws.draw(player, lottery.pk, "order")
        assert exc.value.code == "draw_limit_total"
        left = draws.chances(player, lottery)
    assert Draw.objects.count() == 2
    assert (left["order"], left["today_left"], left["total_left"]) == (3, 0, 0)


def _ready(app: str, *names: str) -> bool:
    """The contract's functions exist and the app's tables are migrated (the app is written alongside this one)."""
    import importlib
    from pathlib import Path

    try:
        module = importlib.import_module(f"tribe.{app}.services")
    except ImportError:
        return False
    migrations = Path(importlib.import_module(f"tribe.{app}").__file__).parent / "migrations"
    return all(hasattr(module, n) for n in names) and any(migrations.glob("0001_*.py"))


needs_loyalty = pytest.mark.skipif(not _ready("loyalty", "credit", "spend", "balance"),
                                   reason="tribe.loyalty.services (credit/spend/balance contract) not available yet")
needs_coupons = pytest.mark.skipif(not _ready("coupons", "grant"),
                                   reason="tribe.coupons.services.grant (contract) not available yet")


@needs_loyalty
def test_points_entry_spends_the_cost_and_beyond_balance_is_409_with_nothing_written(shop, player):
    from tribe.loyalty.services import balance, credit

    lottery = make_lottery(shop, [none(1000)], points_cost=50)
    credit(player, 120, reason="test", ref="test:lottery-points")
    assert draws.chances(player, lottery)["points"] == 2
    first = draws.draw(player, lottery.pk, "points")
    draws.draw(player, lottery.pk, "points")
    assert first.points_spent == 50 and balance(player) == 20
    with pytest.raises(Conflict) as exc:
        draws.draw(player, lottery.pk, "points")
    assert (exc.value.status, exc.value.code) == (409, "insufficient_points")
    assert Draw.objects.count() == 2 and Entrant.objects.get().draws == 2 and balance(player) == 20


@needs_loyalty
def test_a_points_prize_is_credited_once(shop, player, monkeypatch):
    from tribe.loyalty.services import balance

    lottery = make_lottery(shop, [{"kind": "points", "name": "88 积分", "weight": 1000, "stock": 5, "points": 88}])
    draws.share(player, lottery.pk)
    record = draws.draw(player, lottery.pk, "share")
    assert (record.award, record.prize.points, balance(player)) == (Draw.Award.GRANTED, 88, 88)


@needs_coupons
def test_a_coupon_prize_is_granted_with_source_lottery_and_its_stock_out_records_why(shop, player):
    from tribe.campaigns.services import move
    from tribe.coupons import services as coupons
    from tribe.coupons.models import UserCoupon

    now = timezone.now()
    template = coupons.create_template(shop["staff"], shop["brand"], {
        "title": "满100减10", "benefit": "amount_off", "threshold": "100.00", "amount": "10.00",
        "starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(days=7), "valid_days": 10,
        "total_quantity": 1})
    move(shop["staff"], template, "start")
    lottery = make_lottery(shop, [{"kind": "coupon", "name": "满100减10", "weight": 1000, "stock": 5,
                                   "coupon_template_id": template.pk}])
    winner, late = player, UserFactory()
    for user in (winner, late):
        draws.share(user, lottery.pk)
    record = draws.draw(winner, lottery.pk, "share")
    coupon = UserCoupon.objects.get(user=winner)
    assert (record.award, record.award_ref) == (Draw.Award.GRANTED, f"user_coupon:{coupon.pk}")
    assert (coupon.source, coupon.ref) == ("lottery", f"lottery_draw:{record.pk}")
    second = draws.draw(late, lottery.pk, "share")  # the coupon template's own stock (1) is gone
    assert (second.prize_id, second.note) == (None, "coupon_out_of_stock")
    assert Prize.objects.get().stock == 4 and selectors.audit(lottery).reconciles


def test_an_award_the_other_app_refuses_gives_the_unit_back_and_records_why(shop, player, monkeypatch):
    lottery = make_lottery(shop, [{"kind": "points", "name": "88 积分", "weight": 1000, "stock": 5, "points": 88}])
    draws.share(player, lottery.pk)

    def refuse(*args, **kwargs):
        raise Conflict("no", code="award_unavailable")

    monkeypatch.setattr(draws, "_award", refuse)
    record = draws.draw(player, lottery.pk, "share")
    assert (record.prize_id, record.note, record.picked.name) == (None, "award_unavailable", "88 积分")
    assert Prize.objects.get().stock == 5
    assert selectors.audit(lottery).reconciles


# ---- entry by paid orders ----------------------------------------------------------------------------------


def test_a_paid_order_over_the_minimum_grants_chances_voided_by_a_full_refund(shop, player):
    lottery = make_lottery(shop, [none(1000)], order_min_amount="100.00", chances_per_order=2)
    small = UserFactory()
    pay(small, checkout(small, [(shop["product"].skus.first(), 0 + 1)], key="lot-small"))
    assert Chance.objects.filter(user=small).count() == 1  # 120 ≥ 100

    order = checkout(player, [(shop["product"].skus.first(), 1)], key="lot-order-1")
    pay(player, order)
    chance = Chance.objects.get(user=player)
    assert (chance.source, chance.granted, chance.order_id) == ("order", 2, order.pk)
    draws.draw(player, lottery.pk, "order")

    from tribe.aftersales.services import refund_order

    refund_order(order.pk, reason="测试全额退款")
    chance.refresh_from_db()
    assert chance.voided_at is not None and chance.used == 1
    with pytest.raises(Conflict):
        draws.draw(player, lottery.pk, "order")
    assert draws.chances(player, lottery)["order"] == 0


def test_a_partial_refund_keeps_the_chances(shop, player):
    make_lottery(shop, [none(1000)], order_min_amount="100.00")
    sku = shop["product"].skus.first()
    order = checkout(player, [(sku, 2)], key="lot-order-partial")
    pay(player, order)
    from tribe.aftersales.services import approve_refund, request_refund

    line = order.lines.get()
    req = request_refund(player, line.pk, kind="refund_only", quantity=1, reason="买多了")
    approve_refund(shop["staff"], req.pk)
    assert Chance.objects.get(user=player).voided_at is None


def test_an_order_below_the_minimum_grants_nothing(shop, player):
    make_lottery(shop, [none(1000)], order_min_amount="500.00")
    pay(player, checkout(player, [(shop["product"].skus.first(), 1)], key="lot-order-2"))
    assert Chance.objects.count() == 0


# ---- goods prizes: claim ---------------------------------------------------------------------------------


def _won_goods(shop, player, monkeypatch, **fields):
    lottery = make_lottery(shop, [goods(shop, stock=1, weight=1000)], **fields)
    draws.share(player, lottery.pk)
    _fixed(monkeypatch, 0)
    return lottery, draws.draw(player, lottery.pk, "share")


def test_claiming_a_goods_prize_places_a_zero_price_order(shop, player, monkeypatch):
    from tribe.orders.models import ShippingMethod

    ShippingMethod.objects.create(store=shop["store"], code="prize", name="包邮", fee=Decimal("0.00"))
    lottery, record = _won_goods(shop, player, monkeypatch)
    claimed = draws.claim(player, record.pk, address=ADDRESS)
    order = Order.objects.get(pk=claimed.order_id)
    assert claimed.award == Draw.Award.CLAIMED
    assert (order.total, order.status) == (Decimal("0.00"), Order.Status.PAID)
    adj = LineAdjustment.objects.get(line__order=order)
    assert (adj.code, adj.amount) == (lottery.code, Decimal("120.00"))
    with pytest.raises(Conflict) as exc:
        draws.claim(player, record.pk, address=ADDRESS)
    assert exc.value.code == "already_claimed"


def test_a_goods_prize_ships_free_even_where_the_store_charges_shipping(shop, player, monkeypatch):
    _, record = _won_goods(shop, player, monkeypatch)
    claimed = draws.claim(player, record.pk, address=ADDRESS)
    order = Order.objects.get(pk=claimed.order_id)
    assert (order.total, order.shipping_total, order.status) == (Decimal("0.00"), Decimal("0.00"), Order.Status.PAID)
    with pytest.raises(Conflict) as exc:
        draws.claim(player, record.pk, address=ADDRESS)
    assert exc.value.code == "already_claimed"


def test_claims_by_others_bad_addresses_and_after_the_deadline_are_refused(shop, player, monkeypatch):
    _, record = _won_goods(shop, player, monkeypatch, claim_days=3)
    with pytest.raises(Exception) as exc:
        draws.claim(UserFactory(), record.pk, address=ADDRESS)
    assert exc.value.status == 404
    with pytest.raises(ValidationFailed):
        draws.claim(player, record.pk, address={**ADDRESS, "phone": "123"})
    assert Order.objects.count() == 0
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        with pytest.raises(Conflict) as exc:
            draws.claim(player, record.pk, address=ADDRESS)
        assert exc.value.code == "claim_expired"
        assert draws.expire_unclaimed() == 1
    record.refresh_from_db()
    assert record.award == Draw.Award.EXPIRED
    assert Prize.objects.get().stock == 1  # the unit went back
    assert selectors.audit(record.lottery).reconciles


# ---- configuration ---------------------------------------------------------------------------------------


def test_prizes_lock_once_published_and_permille_cannot_exceed_1000(shop):
    lottery = make_lottery(shop, [none(600)], start=False)
    with pytest.raises(ValidationFailed) as exc:
        services.add_prize(shop["staff"], lottery, **none(401))
    assert exc.value.code == "odds_over_100"
    assert lottery.prizes.count() == 1
    services.move(shop["staff"], lottery, "start")
    with pytest.raises(Conflict) as exc:
        services.add_prize(shop["staff"], lottery, **none(1))
    assert exc.value.code == "prizes_locked"


def test_start_needs_a_prize_and_only_staff_may_configure(shop, player):
    lottery = make_lottery(shop, [], start=False)
    with pytest.raises(Conflict) as exc:
        services.move(shop["staff"], lottery, "start")
    assert exc.value.code == "no_prizes"
    with pytest.raises(Exception) as exc:
        services.add_prize(player, lottery, **none(1))
    assert exc.value.status == 403


def test_restock_keeps_the_audit_reconciling(shop, player, monkeypatch):
    lottery = make_lottery(shop, [goods(shop, stock=1, weight=1000)])
    for i in range(2):
        Chance.objects.create(lottery=lottery, user=player, source="share", ref=f"share:t{i}", granted=1)
    _fixed(monkeypatch, 1, 2)
    draws.draw(player, lottery.pk, "share")
    prize = services.restock(shop["staff"], Prize.objects.get(), 4)
    assert (prize.initial_stock, prize.stock) == (5, 4)
    draws.draw(player, lottery.pk, "share")
    audit = selectors.audit(lottery)
    assert (audit.draws, audit.winners, audit.reconciles) == (2, 2, True)
    assert audit.prizes[0].won == 2 == Prize.objects.get().given
