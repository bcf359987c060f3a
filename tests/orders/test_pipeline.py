"""Every transition of the order status pipeline: allowed ones move, the rest are refused with a clear error."""

import pytest

from tests.orders.conftest import checkout, sku_of
from tribe.orders import pipeline
from tribe.orders.models import Order, OrderLog

S = Order.Status
ALL = list(S.values)


@pytest.mark.parametrize("target", ALL)
@pytest.mark.parametrize("current", ALL)
def test_transition_table(shop, buyer, current, target):
    order = checkout(buyer, [(sku_of(shop["a"]), 1)])
    Order.objects.filter(pk=order.pk).update(status=current)
    order.refresh_from_db()
    logs_before = OrderLog.objects.filter(order=order).count()
    if target in pipeline.TRANSITIONS[current]:
        pipeline.transition(order, target, message="test")
        order.refresh_from_db()
        assert order.status == target
        assert OrderLog.objects.filter(order=order).count() == logs_before + 1
    else:
        with pytest.raises(pipeline.InvalidTransition) as exc:
            pipeline.transition(order, target)
        assert exc.value.status == 409 and exc.value.code == "invalid_transition"
        order.refresh_from_db()
        assert order.status == current
        assert OrderLog.objects.filter(order=order).count() == logs_before


def test_stale_object_cannot_transition_twice(shop, buyer):
    order = checkout(buyer, [(sku_of(shop["a"]), 1)])
    stale = Order.objects.get(pk=order.pk)
    pipeline.transition(order, S.CANCELLED)
    with pytest.raises(pipeline.InvalidTransition):
        pipeline.transition(stale, S.PAID)  # the guarded UPDATE sees the row is no longer pending
    assert Order.objects.get(pk=order.pk).status == S.CANCELLED
