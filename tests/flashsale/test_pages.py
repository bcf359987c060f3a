"""Pages: today's slots, a sale, buy → pay; the console list/detail/create/items/start/end; the share card."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ProductFactory, UserFactory
from tribe.flashsale.models import FlashItem, FlashSale
from tribe.orders.models import Order

from .conftest import ADDRESS, make_sale

pytestmark = pytest.mark.django_db


def test_today_page_shows_slots_by_phase(client, shop):
    make_sale(shop)
    other = ProductFactory(store=shop["store"], skus=[{"price": Decimal("50.00"), "stock": 20}])
    make_sale({**shop, "sku": other.skus.get()}, minutes_from_now=30)

    r = client.get(reverse("web:flashsale"))

    html = r.content.decode()
    assert r.status_code == 200
    assert html.count('data-testid="flash-slot"') == 2
    assert 'data-phase="live"' in html and 'data-phase="upcoming"' in html
    assert "十点秒杀" in html


def test_today_page_queries_do_not_grow_with_sales(client, shop, django_assert_max_num_queries):
    make_sale(shop)
    for _ in range(3):
        p = ProductFactory(store=shop["store"])
        make_sale({**shop, "sku": p.skus.get()})
    with django_assert_max_num_queries(8):
        assert client.get(reverse("web:flashsale")).status_code == 200


def test_sale_page_shows_progress_and_buy_button(client, live):
    r = client.get(reverse("web:flashsale_sale", args=[live["sale"].pk]))
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="flash-buy"' in html and "0/10" in html
    assert client.get(reverse("web:flashsale_sale", args=[999999])).status_code == 404


def test_draft_sale_page_is_404(client, shop):
    sale, _ = make_sale(shop, start=False)
    assert client.get(reverse("web:flashsale_sale", args=[sale.pk])).status_code == 404


def test_buy_page_places_the_order_and_goes_to_pay(client, live, buyer):
    client.force_login(buyer)
    url = reverse("web:flashsale_buy", args=[live["sale"].pk, live["item"].pk])
    assert client.get(url).status_code == 200

    r = client.post(url, {**ADDRESS, "quantity": "1", "idempotency_key": "flash-page-0001"})

    order = Order.objects.get(user=buyer)
    assert r.status_code == 302 and r["Location"] == reverse("web:order_pay", args=[order.number])
    r = client.post(url, {**ADDRESS, "quantity": "1", "idempotency_key": "flash-page-0002"})
    assert r.status_code == 409 and 'data-code="limit_reached"' in r.content.decode()


def test_buy_page_shows_bad_input_without_writing(client, live, buyer):
    client.force_login(buyer)
    url = reverse("web:flashsale_buy", args=[live["sale"].pk, live["item"].pk])
    r = client.post(url, {**ADDRESS, "phone": "1", "quantity": "1", "idempotency_key": "flash-page-0003"})
    assert r.status_code == 422 and Order.objects.count() == 0
    assert client.get(reverse("web:flashsale_buy", args=[live["sale"].pk, 999999])).status_code == 404


def test_share_card(client, live):
    r = client.get(reverse("web:share", args=["flashsale", live["sale"].pk]))
    assert r.status_code == 200 and "十点秒杀" in r.content.decode()


def test_console_create_add_item_start_and_end(client, shop):
    client.force_login(shop["staff"])
    slug = shop["brand"].slug
    start = timezone.localtime() - timedelta(minutes=5)
    r = client.post(reverse("console:flashsale", args=[slug]), {
        "title": "晚八点", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")})
    sale = FlashSale.objects.get()
    assert r.status_code == 302 and sale.status == "draft"
    client.post(reverse("console:flashsale_item_add", args=[slug, sale.pk]),
                {"sku_id": shop["sku"].pk, "flash_price": "9.90", "quantity": "5", "per_user_limit": "2"})
    item = FlashItem.objects.get()
    assert (item.quantity, item.per_user_limit) == (5, 2)

    client.post(reverse("console:flashsale_move", args=[slug, sale.pk, "start"]))
    shop["sku"].refresh_from_db()
    assert shop["sku"].stock == 45

    detail = client.get(reverse("console:flashsale_sale", args=[slug, sale.pk]))
    assert detail.status_code == 200 and 'data-status="running"' in detail.content.decode()
    listing = client.get(reverse("console:flashsale", args=[slug]))
    assert listing.status_code == 200 and "0/5" in listing.content.decode()

    client.post(reverse("console:flashsale_move", args=[slug, sale.pk, "end"]))
    shop["sku"].refresh_from_db()
    sale.refresh_from_db()
    assert shop["sku"].stock == 50 and sale.status == "ended"


def test_console_bad_input_is_shown_not_written(client, shop):
    client.force_login(shop["staff"])
    slug = shop["brand"].slug
    r = client.post(reverse("console:flashsale", args=[slug]), {"title": "", "starts_at": "x", "ends_at": ""})
    assert r.status_code == 302 and FlashSale.objects.count() == 0
    sale, _ = make_sale(shop, start=False)
    client.post(reverse("console:flashsale_item_add", args=[sale.pk and slug, sale.pk]),
                {"sku_id": "abc", "flash_price": "1.00", "quantity": "1"})
    assert FlashItem.objects.count() == 1
    assert client.post(reverse("console:flashsale_move", args=[slug, sale.pk, "explode"])).status_code == 404


@pytest.mark.parametrize("who, status", [("staff", 200), ("outsider", 403), ("anon", 302)])
def test_console_permissions(client, shop, who, status):
    if who == "staff":
        client.force_login(shop["staff"])
    elif who == "outsider":
        client.force_login(UserFactory())
    assert client.get(reverse("console:flashsale", args=[shop["brand"].slug])).status_code == status


def test_sale_page_queries_do_not_grow_with_items(client, shop):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tribe.flashsale import services

    def queries_for(n_items):
        products = [ProductFactory(store=shop["store"], skus=[{"price": Decimal("20.00"), "stock": 5}])
                    for _ in range(n_items)]
        now = timezone.now()
        sale = services.create_sale(shop["staff"], shop["brand"], title="多件", starts_at=now - timedelta(minutes=1),
                                    ends_at=now + timedelta(hours=1))
        for p in products:
            services.add_item(shop["staff"], sale, sku_id=p.skus.get().pk, flash_price="9.90", quantity=2)
        services.start_sale(shop["staff"], sale)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("web:flashsale_sale", args=[sale.pk])).status_code == 200
        return len(ctx.captured_queries)

    queries_for(1)  # warm-up: first-request caches (content types, site settings)
    assert queries_for(1) == queries_for(4)


def test_the_periodic_task_ends_due_sales(live):
    import time_machine

    from tribe.flashsale.tasks import end_due_flash_sales

    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        assert end_due_flash_sales.call() == 1
    live["sku"].refresh_from_db()
    assert live["sku"].stock == 50
