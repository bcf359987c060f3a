"""Pages: the presale page (terms up front, pay the deposit), my presales (pay the balance), share card, console."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import MembershipFactory, UserFactory
from tests.presale.conftest import ADDRESS, BALANCE_START, T0, pay
from tribe.orders.models import Order
from tribe.presale.models import Presale, PresaleOrder


def test_presale_page_shows_the_terms_up_front(shop, client, django_assert_max_num_queries):
    url = reverse("web:presale", args=[shop["presale"].pk])
    with django_assert_max_num_queries(12):
        res = client.get(url)

    assert res.status_code == 200
    html = res.content.decode()
    assert "定金膨胀：¥50.00 抵 ¥100.00" in html
    assert "¥299.00" in html and "¥199.00" in html
    assert "定金不退" in html
    assert "2026-06-15" in html
    assert 'data-countdown' in html


def test_presale_page_query_count_does_not_grow_with_purchases(shop, client, buyer):
    from tribe.presale import services

    url = reverse("web:presale", args=[shop["presale"].pk])
    client.get(url)  # the session exists from here on
    services.place_deposit(buyer, shop["presale"].pk, 2, address=ADDRESS, idempotency_key="dep-000001")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    services.place_deposit(UserFactory(), shop["presale"].pk, 1, address=ADDRESS, idempotency_key="dep-000002")
    with CaptureQueriesContext(connection) as two:
        client.get(url)

    assert len(one) == len(two)


def test_unknown_presale_page_is_404(shop, client):
    assert client.get(reverse("web:presale", args=[999999])).status_code == 404
    Presale.objects.filter(pk=shop["presale"].pk).update(status="draft")
    assert client.get(reverse("web:presale", args=[shop["presale"].pk])).status_code == 404


def test_pay_deposit_from_the_page_goes_to_the_cashier(shop, client, buyer):
    client.force_login(buyer)
    res = client.post(reverse("web:presale", args=[shop["presale"].pk]),
                      {"quantity": 1, "key": "presale-abcdef12", **ADDRESS})

    order = Order.objects.get(user=buyer)
    assert res.status_code == 302 and res.url == reverse("web:order_pay", args=[order.number])
    assert order.total == 58  # ¥50 deposit + ¥8 shipping
    assert PresaleOrder.objects.get().deposit_order_id == order.pk


def test_bad_deposit_form_is_422_and_writes_nothing(shop, client, buyer):
    client.force_login(buyer)
    res = client.post(reverse("web:presale", args=[shop["presale"].pk]),
                      {"quantity": 1, "key": "presale-abcdef12", **ADDRESS, "phone": "123"})

    assert res.status_code == 422
    assert not Order.objects.exists()
    over = client.post(reverse("web:presale", args=[shop["presale"].pk]),
                       {"quantity": 9, "key": "presale-abcdef13", **ADDRESS})
    assert over.status_code == 422
    assert not Order.objects.exists()


def test_anonymous_deposit_goes_to_login(shop, client):
    res = client.post(reverse("web:presale", args=[shop["presale"].pk]), {"quantity": 1})
    assert res.status_code == 302 and "login" in res.url


def test_my_presales_pay_balance_in_the_window(shop, client, buyer, travel):
    from tribe.presale import services

    order = services.place_deposit(buyer, shop["presale"].pk, 1, address=ADDRESS, idempotency_key="dep-000001")
    pay(buyer, order)
    client.force_login(buyer)
    page = client.get(reverse("web:my_presales")).content.decode()
    assert "尾款尚未开始" in page
    purchase = PresaleOrder.objects.get()
    early = client.post(reverse("web:presale_pay_balance", args=[purchase.pk]))
    assert early.status_code == 302 and early.url == reverse("web:my_presales")
    assert Order.objects.count() == 1

    travel(BALANCE_START + timedelta(hours=1))
    assert 'data-testid="pay-balance"' in client.get(reverse("web:my_presales")).content.decode()
    res = client.post(reverse("web:presale_pay_balance", args=[purchase.pk]))

    purchase.refresh_from_db()
    assert res.status_code == 302 and res.url == reverse("web:order_pay", args=[purchase.balance_order.number])


def test_share_card(shop, client):
    res = client.get(reverse("web:share", args=["presale", shop["presale"].pk]))

    assert res.status_code == 200
    assert "【预售】新品预售" in res.content.decode()


def test_console_list_create_edit_start(shop, client):
    client.force_login(shop["staff"])
    slug = shop["brand"].slug
    assert client.get(reverse("console:presale_list", args=[slug])).status_code == 200
    assert client.get(reverse("console:presale_new", args=[slug])).status_code == 200
    form = {"title": "第二期预售", "description": "", "sku_id": shop["sku"].pk, "price": "299.00",
            "deposit": "30.00", "deposit_value": "60.00", "starts_at": "2026-06-02T10:00",
            "ends_at": "2026-06-05T10:00", "balance_starts_at": "2026-06-06T10:00",
            "balance_ends_at": "2026-06-08T10:00", "ship_date": "2026-06-10", "refund_rule": "refundable",
            "quantity_cap": 4, "per_user_limit": 2}
    bad = client.post(reverse("console:presale_new", args=[slug]), {**form, "deposit_value": "10.00"})
    assert bad.status_code == 422
    res = client.post(reverse("console:presale_new", args=[slug]), form)
    assert res.status_code == 302
    presale = Presale.objects.get(title="第二期预售")
    assert presale.starts_at == T0 + timedelta(days=1)  # entered in Asia/Shanghai
    edit = client.post(reverse("console:presale_edit", args=[slug, presale.pk]), {**form, "quantity_cap": 9})
    assert edit.status_code == 302
    client.post(reverse("console:presale_move", args=[slug, presale.pk, "start"]))
    presale.refresh_from_db()
    assert (presale.quantity_cap, presale.status) == (9, "running")
    detail = client.get(reverse("console:presale_detail", args=[slug, presale.pk]) + "?state=deposit_paid")
    assert detail.status_code == 200
    listing = client.get(reverse("console:presale_list", args=[slug])).content.decode()
    assert "第二期预售" in listing


@pytest.mark.parametrize("name", ["console:presale_list", "console:presale_new"])
def test_console_refuses_other_brands_staff(shop, client, name):
    client.force_login(MembershipFactory().user)
    assert client.get(reverse(name, args=[shop["brand"].slug])).status_code == 403


def test_console_detail_of_another_brands_presale_is_404(shop, client):
    other = MembershipFactory()
    client.force_login(other.user)
    url = reverse("console:presale_detail", args=[other.brand.slug, shop["presale"].pk])
    assert client.get(url).status_code == 404


def test_play_is_registered_for_the_campaign_index(shop):
    from tribe.campaigns.registry import get_play

    play = get_play("presale")
    assert play is not None and play.public_url(shop["presale"]) == f"/presale/{shop['presale'].pk}/"


def test_holds_say_why_the_presale_orders_wait(shop, client, buyer, travel):
    from tribe.orders.holds import holds_for
    from tribe.presale import services

    dep = services.place_deposit(buyer, shop["presale"].pk, 1, address=ADDRESS, idempotency_key="dep-000001")
    pay(buyer, dep)
    assert holds_for([dep.pk]) == {dep.pk: "预售：尾款未付，暂不发货"}
    travel(BALANCE_START + timedelta(hours=1))
    bal = services.place_balance(buyer, PresaleOrder.objects.get().pk, idempotency_key="bal-000001")
    pay(buyer, bal)

    assert holds_for([dep.pk, bal.pk]) == {bal.pk: f"预售尾款订单：商品随定金订单 {dep.number} 发货"}
