from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from tests.factories import UserFactory
from tests.orders.conftest import pay
from tribe.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tribe.flashsale import services
from tribe.flashsale.models import FlashItem, FlashPurchase, FlashQuota, FlashSale
from tribe.inventory.services import InsufficientStock
from tribe.orders.models import LineAdjustment, Order
from tribe.orders.services import cancel_order, run_due

from .conftest import ADDRESS, buy, make_sale


def _stock(sku):
    sku.refresh_from_db()
    return sku.stock


def _item(item):
    item.refresh_from_db()
    return item


def test_start_carves_the_quantity_out_of_the_sku(shop):
    sale, item = make_sale(shop, quantity=10, start=False)
    assert _stock(shop["sku"]) == 50 and _item(item).left == 0

    services.start_sale(shop["staff"], sale)

    assert _stock(shop["sku"]) == 40
    assert _item(item).left == 10
    sale.refresh_from_db()
    assert sale.status == "running" and sale.carved_at is not None


def test_start_refuses_when_the_sku_lacks_the_units_and_stays_a_draft(shop):
    sale, item = make_sale(shop, quantity=51, start=False)

    with pytest.raises(InsufficientStock):
        services.start_sale(shop["staff"], sale)

    sale.refresh_from_db()
    assert sale.status == "draft" and sale.carved_at is None
    assert _stock(shop["sku"]) == 50 and _item(item).left == 0


def test_start_without_items_is_refused(shop):
    now = timezone.now()
    sale = services.create_sale(shop["staff"], shop["brand"], title="空", starts_at=now,
                                ends_at=now + timedelta(hours=1))
    with pytest.raises(ValidationFailed) as err:
        services.start_sale(shop["staff"], sale)
    assert err.value.code == "no_items"
    sale.refresh_from_db()
    assert sale.status == "draft"


def test_buy_orders_at_the_flash_price_and_leaves_public_stock_alone(live, buyer):
    order = buy(buyer, live, "flash-key-0001")

    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.subtotal == Decimal("99.00") and order.discount_total == Decimal("79.10")
    adj = LineAdjustment.objects.get(line__order=order)
    assert (adj.code, adj.label, adj.amount) == (live["sale"].code, "秒杀价", Decimal("79.10"))
    assert _stock(live["sku"]) == 40  # the reservation was funded by the carved units
    item = _item(live["item"])
    assert (item.left, item.sold) == (9, 1)
    assert FlashPurchase.objects.get().order == order


def test_buy_works_when_every_public_unit_is_carved(shop, buyer):
    sale, item = make_sale(shop, quantity=50)
    assert _stock(shop["sku"]) == 0

    order = buy(buyer, {"sale": sale, "item": item}, "flash-key-0002")

    assert order.lines.get().quantity == 1
    assert _stock(shop["sku"]) == 0 and _item(item).left == 49


def test_same_idempotency_key_returns_the_first_order_and_takes_once(live, buyer):
    first = buy(buyer, live, "flash-key-0003")
    again = buy(buyer, live, "flash-key-0003")

    assert again.pk == first.pk and again.replayed
    assert _item(live["item"]).left == 9


def test_per_user_limit(live, buyer):
    buy(buyer, live, "flash-key-0004")

    with pytest.raises(Conflict) as err:
        buy(buyer, live, "flash-key-0005")
    assert err.value.code == "limit_reached"
    with pytest.raises(Conflict) as err:
        buy(UserFactory(), live, "flash-key-0006", qty=2)
    assert err.value.code == "limit_reached"
    assert _item(live["item"]).left == 9 and Order.objects.count() == 1


def test_a_cancelled_order_frees_the_limit_and_returns_units_to_the_sale(live, buyer):
    order = buy(buyer, live, "flash-key-0007")

    cancel_order(buyer, order.pk)

    item = _item(live["item"])
    assert (item.left, item.sold) == (10, 0)
    assert _stock(live["sku"]) == 40
    assert FlashQuota.objects.get().bought == 0
    purchase = FlashPurchase.objects.get()
    assert purchase.state == "cancelled" and purchase.returned_to_sale
    assert buy(buyer, live, "flash-key-0008").status == Order.Status.PENDING_PAYMENT


def test_an_expired_order_returns_units_to_the_sale(live, buyer):
    buy(buyer, live, "flash-key-0009")

    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        assert run_due()["expired"] == 1

    assert _item(live["item"]).left == 10 and _stock(live["sku"]) == 40


def test_sold_out_is_409_and_writes_nothing(shop):
    sale, item = make_sale(shop, quantity=2)
    live = {"sale": sale, "item": item}
    buy(UserFactory(), live, "flash-key-0010")
    buy(UserFactory(), live, "flash-key-0011")

    late = UserFactory()
    with pytest.raises(Conflict) as err:
        buy(late, live, "flash-key-0012")
    assert err.value.code == "sold_out"
    assert Order.objects.filter(user=late).count() == 0
    assert _item(item).left == 0 and _stock(shop["sku"]) == 48


def test_sold_out_flag_clears_when_a_cancel_returns_units(shop, django_capture_on_commit_callbacks):
    sale, item = make_sale(shop, quantity=1)
    live = {"sale": sale, "item": item}
    first = UserFactory()
    order = buy(first, live, "flash-key-0013")
    with pytest.raises(Conflict):
        buy(UserFactory(), live, "flash-key-0014")

    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(first, order.pk)

    assert buy(UserFactory(), live, "flash-key-0015").status == Order.Status.PENDING_PAYMENT


def test_end_returns_what_is_left_exactly_once(live, buyer):
    pay(buyer, buy(buyer, live, "flash-key-0016"))

    services.end_sale(live["staff"], live["sale"])

    assert _stock(live["sku"]) == 49  # 40 public + 9 unsold
    assert _item(live["item"]).left == 0
    with pytest.raises(Conflict):
        services.end_sale(live["staff"], live["sale"])
    assert services.return_stock(live["sale"]) == {}
    assert services.end_due_sales(timezone.now() + timedelta(days=1)) == 0
    assert _stock(live["sku"]) == 49


def test_cancel_after_the_end_leaves_units_in_the_sku(live, buyer):
    order = buy(buyer, live, "flash-key-0017")
    services.end_sale(live["staff"], live["sale"])
    assert _stock(live["sku"]) == 49

    cancel_order(buyer, order.pk)

    assert _stock(live["sku"]) == 50
    item = _item(live["item"])
    assert (item.left, item.sold) == (0, 0)
    assert not FlashPurchase.objects.get().returned_to_sale


def test_the_periodic_sweep_ends_due_sales_and_returns_stock(live, buyer):
    buy(buyer, live, "flash-key-0018")
    later = timezone.now() + timedelta(hours=3)

    with time_machine.travel(later):
        assert services.end_due_sales() == 1
        assert services.end_due_sales() == 0
        run_due()  # the unpaid order expires after the end: its unit stays in the SKU

    live["sale"].refresh_from_db()
    assert live["sale"].status == "ended" and live["sale"].returned_at is not None
    assert _stock(live["sku"]) == 50 and _item(live["item"]).left == 0


def test_paused_and_upcoming_sales_refuse_buyers(shop, buyer):
    sale, item = make_sale(shop, minutes_from_now=30)
    with pytest.raises(Conflict) as err:
        buy(buyer, {"sale": sale, "item": item}, "flash-key-0019")
    assert err.value.code == "campaign_upcoming"

    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        services.pause_sale(shop["staff"], sale)
        with pytest.raises(Conflict) as err:
            buy(buyer, {"sale": sale, "item": item}, "flash-key-0020")
        assert err.value.code == "campaign_paused"
        services.resume_sale(shop["staff"], sale)
        assert buy(buyer, {"sale": sale, "item": item}, "flash-key-0021").pk


def test_throttle_answers_try_again_when_all_slots_are_busy(live, buyer, settings):
    from tribe.flashsale import rush

    sem = rush.slot(live["item"].pk)
    held = 0
    while sem.acquire(blocking=False):
        held += 1
    try:
        with pytest.raises(services.TryAgain) as err:
            buy(buyer, live, "flash-key-0022")
        assert err.value.status == 429 and err.value.code == "try_again"
    finally:
        for _ in range(held):
            sem.release()
    assert held == 8
    assert _item(live["item"]).left == 10


@pytest.mark.parametrize("kwargs, code", [
    ({"quantity": 0}, "invalid"), ({"quantity": "1"}, "invalid"), ({"idempotency_key": "x"}, "invalid"),
    ({"address": {"name": "a"}}, "invalid"), ({"address_id": 999999}, "not_found"),
])
def test_bad_buy_input_is_refused_and_writes_nothing(live, buyer, kwargs, code):
    args = {"quantity": 1, "address": ADDRESS, "idempotency_key": "flash-key-0023", **kwargs}
    with pytest.raises((ValidationFailed, NotFound)) as err:
        services.buy(buyer, live["sale"].pk, live["item"].pk, **args)
    assert err.value.code == code
    assert _item(live["item"]).left == 10 and Order.objects.count() == 0


def test_unknown_item_or_item_of_another_sale_is_404(live, buyer, shop):
    with pytest.raises(NotFound):
        services.buy(buyer, live["sale"].pk + 1, live["item"].pk, address=ADDRESS, idempotency_key="flash-key-0024")


def test_items_only_change_in_draft_and_price_must_be_below_list(shop):
    sale, item = make_sale(shop, start=False)
    with pytest.raises(ValidationFailed) as err:
        services.update_item(shop["staff"], item, flash_price="99.00")
    assert err.value.code == "price_not_lower"
    with pytest.raises(Conflict) as err:
        services.add_item(shop["staff"], sale, sku_id=shop["sku"].pk, flash_price="10.00", quantity=1)
    assert err.value.code == "item_exists"
    services.start_sale(shop["staff"], sale)
    with pytest.raises(Conflict) as err:
        services.update_item(shop["staff"], FlashItem.objects.select_related("sale", "sku").get(), quantity=3)
    assert err.value.code == "not_editable"


def test_only_brand_staff_manage_sales(shop):
    sale, _ = make_sale(shop, start=False)
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        services.start_sale(outsider, sale)
    with pytest.raises(PermissionDenied):
        services.create_sale(outsider, shop["brand"], title="x", starts_at=sale.starts_at, ends_at=sale.ends_at)
    assert FlashSale.objects.get().status == "draft"


def test_another_brands_sku_cannot_be_put_on_sale(shop):
    from tests.factories import ProductFactory

    other = ProductFactory()
    sale, _ = make_sale(shop, start=False)
    with pytest.raises(NotFound):
        services.add_item(shop["staff"], sale, sku_id=other.skus.get().pk, flash_price="1.00", quantity=1)


def test_asking_for_more_than_is_left_does_not_flag_the_item_sold_out(shop):
    sale, item = make_sale(shop, quantity=3, limit=3)
    live = {"sale": sale, "item": item}
    buy(UserFactory(), live, "flash-key-0030", qty=2)

    with pytest.raises(Conflict) as err:
        buy(UserFactory(), live, "flash-key-0031", qty=2)
    assert err.value.code == "sold_out" and err.value.fields == {"quantity": "more than left"}

    assert buy(UserFactory(), live, "flash-key-0032", qty=1).pk
    assert _item(item).left == 0
