"""The presale life: deposit → balance window → balance or close, with time moved."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.factories import UserFactory
from tests.presale.conftest import ADDRESS, BALANCE_END, BALANCE_START, pay
from tribe.core.errors import Conflict
from tribe.notifications.models import Notification
from tribe.orders.models import Order
from tribe.orders.services import run_due
from tribe.orders.shipping import ship
from tribe.presale import services
from tribe.presale.models import PresaleOrder

P = PresaleOrder.State


def _deposit(user, presale, qty=1, key="dep-000001"):
    order = services.place_deposit(user, presale.pk, qty, address=ADDRESS, idempotency_key=key)
    pay(user, order)
    order.refresh_from_db()
    return order, PresaleOrder.objects.get(deposit_order=order)


def _stock(sku) -> int:
    sku.refresh_from_db()
    return sku.stock


def test_deposit_order_charges_the_deposit_and_takes_the_units(shop, buyer):
    order = services.place_deposit(buyer, shop["presale"].pk, 2, address=ADDRESS, idempotency_key="dep-000001")

    line = order.lines.get()
    assert (line.unit_price, line.quantity, line.discount, line.paid_amount) == (
        Decimal("399.00"), 2, Decimal("698.00"), Decimal("100.00"))
    assert [(a.code, a.label, a.amount) for a in line.adjustments.all()] == [
        (shop["presale"].code, "预售定金", Decimal("698.00"))]
    assert order.total == Decimal("100.00")  # ¥50 × 2, free shipping over ¥99
    assert _stock(shop["sku"]) == 8
    purchase = PresaleOrder.objects.get(deposit_order=order)
    assert (purchase.state, purchase.quantity) == (P.DEPOSIT_PENDING, 2)
    shop["presale"].refresh_from_db()
    assert shop["presale"].sold == 2

    pay(buyer, order)
    purchase.refresh_from_db()
    assert purchase.state == P.DEPOSIT_PAID
    assert _stock(shop["sku"]) == 8


def test_deposit_is_idempotent(shop, buyer):
    first = services.place_deposit(buyer, shop["presale"].pk, 1, address=ADDRESS, idempotency_key="dep-000001")
    again = services.place_deposit(buyer, shop["presale"].pk, 1, address=ADDRESS, idempotency_key="dep-000001")

    assert again.pk == first.pk and again.replayed
    assert PresaleOrder.objects.count() == 1
    assert _stock(shop["sku"]) == 9


def test_balance_too_early_is_409_in_window_ok_after_window_409(shop, buyer, travel):
    _dep, purchase = _deposit(buyer, shop["presale"])

    with pytest.raises(Conflict) as early:
        services.place_balance(buyer, purchase.pk, idempotency_key="bal-000001")
    assert early.value.code == "balance_not_open"

    travel(BALANCE_END + timedelta(minutes=1))
    with pytest.raises(Conflict) as late:
        services.place_balance(buyer, purchase.pk, idempotency_key="bal-000001")
    assert late.value.code == "balance_closed"

    assert Order.objects.filter(user=buyer).count() == 1  # nothing half-written


def test_inflation_arithmetic_and_stock_counted_once(shop, buyer, travel):
    dep, purchase = _deposit(buyer, shop["presale"], qty=2)
    assert _stock(shop["sku"]) == 8

    travel(BALANCE_START + timedelta(hours=1))
    bal = services.place_balance(buyer, purchase.pk, idempotency_key="bal-000001")

    line = bal.lines.get()
    # 预售价 299, 定金 50 抵 100: the balance is 299 − 100 = 199 per unit
    assert line.paid_amount == Decimal("398.00")
    assert [(a.code, a.amount) for a in line.adjustments.all()] == [
        (f"{shop['presale'].code}:balance", Decimal("400.00"))]  # 399 list − 199 balance, × 2
    assert bal.total == Decimal("398.00")
    # what the buyer pays for the goods: 100 + 398 = 498 = 2 × 299 − 2 × (100 − 50)
    assert dep.total + bal.total == 2 * Decimal("299.00") - 2 * (Decimal("100.00") - Decimal("50.00"))
    assert (bal.ship_name, bal.ship_detail) == (ADDRESS["name"], ADDRESS["detail"])
    assert _stock(shop["sku"]) == 8  # the balance order took nothing more

    pay(buyer, bal)
    purchase.refresh_from_db()
    assert purchase.state == P.BALANCE_PAID
    assert _stock(shop["sku"]) == 8


def test_balance_is_idempotent_per_purchase(shop, buyer, travel):
    _dep, purchase = _deposit(buyer, shop["presale"])
    travel(BALANCE_START + timedelta(hours=1))

    first = services.place_balance(buyer, purchase.pk, idempotency_key="bal-000001")
    again = services.place_balance(buyer, purchase.pk, idempotency_key="bal-000002")

    assert again.pk == first.pk and again.replayed
    assert _stock(shop["sku"]) == 9


def test_expired_balance_order_gives_the_units_back_to_the_deposit(shop, buyer, travel):
    _dep, purchase = _deposit(buyer, shop["presale"])
    travel(BALANCE_START + timedelta(hours=1))
    first = services.place_balance(buyer, purchase.pk, idempotency_key="bal-000001")

    travel(BALANCE_START + timedelta(hours=2))
    run_due()

    first.refresh_from_db()
    assert first.status == Order.Status.EXPIRED
    assert _stock(shop["sku"]) == 9  # still the deposit's unit, not back on sale
    purchase.refresh_from_db()
    assert purchase.balance_order_id is None

    second = services.place_balance(buyer, purchase.pk, idempotency_key="bal-000002")
    pay(buyer, second)
    purchase.refresh_from_db()
    assert purchase.state == P.BALANCE_PAID
    assert _stock(shop["sku"]) == 9


def test_deposit_order_cannot_ship_before_the_balance_and_the_balance_order_never_ships(shop, buyer, travel):
    dep, purchase = _deposit(buyer, shop["presale"])
    so = dep.store_orders.get()

    with pytest.raises(Conflict) as held:
        ship(shop["staff"], so.pk, carrier="顺丰", tracking_number="SF1")
    assert held.value.code == "shipping_on_hold"

    travel(BALANCE_START + timedelta(hours=1))
    bal = services.place_balance(buyer, purchase.pk, idempotency_key="bal-000001")
    pay(buyer, bal)

    with pytest.raises(Conflict) as never:
        ship(shop["staff"], bal.store_orders.get().pk, carrier="顺丰", tracking_number="SF2")
    assert never.value.code == "shipping_on_hold"
    ship(shop["staff"], so.pk, carrier="顺丰", tracking_number="SF1")
    dep.refresh_from_db()
    assert dep.status == Order.Status.SHIPPED


def test_unpaid_after_window_forfeits_by_the_shown_rule(shop, buyer, travel):
    dep, purchase = _deposit(buyer, shop["presale"])
    assert _stock(shop["sku"]) == 9

    travel(BALANCE_END + timedelta(minutes=1))
    done = services.run_presale_due()

    assert done["forfeited"] == 1
    purchase.refresh_from_db()
    dep.refresh_from_db()
    assert purchase.state == P.FORFEITED
    assert (dep.status, dep.refunded_total, dep.paid_total) == (Order.Status.CLOSED, Decimal("0.00"),
                                                                 Decimal("58.00"))
    assert _stock(shop["sku"]) == 10  # the unit is on sale again
    shop["presale"].refresh_from_db()
    assert shop["presale"].sold == 0
    assert services.run_presale_due()["forfeited"] == 0  # once


def test_unpaid_after_window_refunds_by_the_refundable_rule(shop, buyer, travel):
    shop["presale"].refund_rule = "refundable"
    shop["presale"].save(update_fields=["refund_rule"])
    dep, purchase = _deposit(buyer, shop["presale"])

    travel(BALANCE_END + timedelta(minutes=1))
    done = services.run_presale_due()

    assert done["refunded"] == 1
    purchase.refresh_from_db()
    dep.refresh_from_db()
    assert purchase.state == P.REFUNDED
    assert (dep.status, dep.refunded_total) == (Order.Status.CLOSED, Decimal("58.00"))  # deposit + shipping
    assert _stock(shop["sku"]) == 10


def test_pending_balance_at_window_end_waits_for_its_own_expiry(shop, buyer, travel):
    _dep, purchase = _deposit(buyer, shop["presale"])
    travel(BALANCE_END - timedelta(minutes=5))
    bal = services.place_balance(buyer, purchase.pk, idempotency_key="bal-000001")

    travel(BALANCE_END + timedelta(minutes=1))
    assert services.run_presale_due()["forfeited"] == 0
    pay(buyer, bal)  # placed inside the window, paid within its reservation

    purchase.refresh_from_db()
    assert purchase.state == P.BALANCE_PAID


def test_reminders_are_sent_once_each(shop, buyer, travel):
    _dep, purchase = _deposit(buyer, shop["presale"])

    travel(BALANCE_START + timedelta(minutes=1))
    assert services.run_presale_due()["reminded_open"] == 1
    assert services.run_presale_due()["reminded_open"] == 0

    travel(BALANCE_END - timedelta(hours=23))
    first = services.run_presale_due()
    second = services.run_presale_due()

    assert (first["reminded_due"], second["reminded_due"]) == (1, 0)
    texts = list(Notification.objects.filter(user=buyer, kind="presale").order_by("id").values_list("text", flat=True))
    assert len(texts) == 2
    assert "开始付尾款" in texts[0] and "定金不退" in texts[1]


def test_deposit_refund_by_store_before_balance_closes_the_purchase(shop, buyer):
    from tribe.aftersales.services import approve_refund, request_refund

    dep, purchase = _deposit(buyer, shop["presale"])
    req = request_refund(buyer, dep.lines.get().pk, kind="refund_only", quantity=1, reason="不想要了")
    approve_refund(shop["staff"], req.pk)

    purchase.refresh_from_db()
    assert purchase.state == P.REFUNDED
    assert _stock(shop["sku"]) == 10
    shop["presale"].refresh_from_db()
    assert shop["presale"].sold == 0


def test_refunding_a_paid_balance_undoes_the_purchase_and_counts_stock_once(shop, buyer, travel,
                                                                           django_capture_on_commit_callbacks):
    from tribe.aftersales.services import refund_order

    dep, purchase = _deposit(buyer, shop["presale"], qty=2)
    travel(BALANCE_START + timedelta(hours=1))
    bal = services.place_balance(buyer, purchase.pk, idempotency_key="bal-000001")
    pay(buyer, bal)
    assert _stock(shop["sku"]) == 8

    with django_capture_on_commit_callbacks(execute=True):
        refund_order(bal.pk, reason="买家不要了")  # the deposit is refunded too (on commit)

    dep.refresh_from_db()
    bal.refresh_from_db()
    purchase.refresh_from_db()
    assert (bal.status, dep.status) == (Order.Status.CLOSED, Order.Status.CLOSED)
    assert purchase.state == P.REFUNDED
    assert _stock(shop["sku"]) == 10  # not 12: the balance order never held units


def test_cancelled_deposit_order_frees_the_cap(shop, buyer):
    from tribe.orders.services import cancel_order

    order = services.place_deposit(buyer, shop["presale"].pk, 3, address=ADDRESS, idempotency_key="dep-000001")
    cancel_order(buyer, order.pk)

    assert PresaleOrder.objects.get(deposit_order=order).state == P.CANCELLED
    shop["presale"].refresh_from_db()
    assert shop["presale"].sold == 0
    assert _stock(shop["sku"]) == 10


def test_balance_refund_when_the_sku_is_sold_out_is_taken_back_by_the_sweep(shop, buyer, travel,
                                                                          django_capture_on_commit_callbacks):
    from tribe.aftersales.services import refund_order
    from tribe.catalog.models import Sku

    dep, purchase = _deposit(buyer, shop["presale"])
    travel(BALANCE_START + timedelta(hours=1))
    bal = services.place_balance(buyer, purchase.pk, idempotency_key="bal-000001")
    pay(buyer, bal)
    Sku.objects.filter(pk=shop["sku"].pk).update(stock=0)  # everything else sold elsewhere

    with django_capture_on_commit_callbacks(execute=True):
        refund_order(bal.pk, reason="买家不要了")

    purchase.refresh_from_db()
    assert (purchase.state, purchase.restock_debt) == (P.REFUNDED, 1)
    assert _stock(shop["sku"]) == 2  # the deposit's unit back (right) + the balance line's restock (owed back)
    assert services.run_presale_due()["restock_taken"] == 1
    assert _stock(shop["sku"]) == 1


def test_the_sweep_is_a_registered_periodic_job():
    from tribe.core.periodic import JOBS

    assert [j.task_path for j in JOBS if j.name == "presale.due"] == ["tribe.presale.tasks.presale_due_task"]


def test_deposit_refunded_while_the_balance_is_pending_then_the_balance_expires(shop, buyer, travel):
    from tribe.aftersales.services import approve_refund, request_refund

    dep, purchase = _deposit(buyer, shop["presale"], qty=2)
    travel(BALANCE_START + timedelta(hours=1))
    bal = services.place_balance(buyer, purchase.pk, idempotency_key="bal-000001")
    req = request_refund(buyer, dep.lines.get().pk, kind="refund_only", quantity=2, reason="不想要了")
    approve_refund(shop["staff"], req.pk)
    assert _stock(shop["sku"]) == 10

    travel(BALANCE_START + timedelta(hours=2))
    run_due()

    bal.refresh_from_db()
    purchase.refresh_from_db()
    assert (bal.status, purchase.state) == (Order.Status.EXPIRED, P.REFUNDED)
    assert _stock(shop["sku"]) == 10  # the balance order's release is not counted as stock
    with pytest.raises(Conflict):
        services.place_balance(buyer, purchase.pk, idempotency_key="bal-000002")


def test_events_carry_the_campaign(shop, buyer, travel):
    from tribe.core.models import Event

    _dep, purchase = _deposit(buyer, shop["presale"])
    other = UserFactory()
    _deposit(other, shop["presale"], key="dep-000002")
    travel(BALANCE_START + timedelta(hours=1))
    pay(buyer, services.place_balance(buyer, purchase.pk, idempotency_key="bal-000001"))
    travel(BALANCE_END + timedelta(minutes=1))
    services.run_presale_due()

    names = {name: (props["campaign"], props["play"]) for name, props in
             Event.objects.filter(name__startswith="presale_").values_list("name", "props")}
    code = shop["presale"].code
    for name in ("presale_deposit", "presale_balance", "presale_forfeit"):
        assert names[name] == (code, "presale")
