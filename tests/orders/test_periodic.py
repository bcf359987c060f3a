from datetime import timedelta

import time_machine
from django.utils import timezone

from tests.orders.conftest import checkout, pay, sku_of
from tribe.catalog.models import Sku
from tribe.core.periodic import JOBS, enqueue_due
from tribe.orders.models import Order
from tribe.orders.services import expire_if_due
from tribe.orders.tasks import sweep_orders


def test_apps_register_their_periodic_jobs():
    assert {j.name for j in JOBS} >= {"orders.sweep", "aftersales.retry_refunds"}


def test_scheduler_enqueues_each_job_once_per_interval(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    last: dict[str, float] = {}
    assert set(enqueue_due(last, now=1000.0)) >= {"orders.sweep", "aftersales.retry_refunds"}
    assert enqueue_due(last, now=1030.0) == []  # within the interval
    assert "orders.sweep" in enqueue_due(last, now=1061.0)


def test_sweep_task_expires_and_access_check_expires_too(shop, buyer):
    sku = sku_of(shop["a"])
    swept = checkout(buyer, [(sku, 2)], key="sweep-key-001")
    opened = checkout(buyer, [(sku, 1)], key="sweep-key-002")
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        # the access check alone expires an order the moment it is looked at
        assert expire_if_due(Order.objects.get(pk=opened.pk)).status == Order.Status.EXPIRED
        result = sweep_orders.call()
    assert result["expired"] == 1
    assert Order.objects.get(pk=swept.pk).status == Order.Status.EXPIRED
    assert Sku.objects.get(pk=sku.pk).stock == 10


def test_auto_receive_after_n_days(shop, buyer, settings):
    from tribe.orders.shipping import ship

    order = checkout(buyer, [(sku_of(shop["a"]), 1)])
    pay(buyer, order)
    ship(shop["staff_a"], order.store_orders.get().pk, carrier="中通", tracking_number="ZT1")
    with time_machine.travel(timezone.now() + timedelta(days=settings.TRIBE_AUTO_RECEIVE_DAYS - 1)):
        assert sweep_orders.call()["received"] == 0
    with time_machine.travel(timezone.now() + timedelta(days=settings.TRIBE_AUTO_RECEIVE_DAYS, minutes=1)):
        assert sweep_orders.call()["received"] == 1
    assert Order.objects.get(pk=order.pk).status == Order.Status.RECEIVED
