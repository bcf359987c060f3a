"""Brand console orders: the list (tabs, search, paging, constant queries), a store order's page, shipping
(full, partial, bad input) and delivery."""

from decimal import Decimal

import pytest
from django.urls import reverse
from tests.factories import BrandFactory, MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tests.orders.conftest import checkout, pay

from tribe.aftersales.services import request_refund
from tribe.orders.models import Order, OrderLine, OrderLog, Shipment, ShipmentLine, StoreOrder
from tribe.orders.shipping import ship
from tribe.web.console import orders as console_orders


@pytest.fixture
def sku_a(product_a):
    """Brand A's SKU: 99.00, stock 10."""
    return product_a.skus.get()


@pytest.fixture
def buyer(db):
    return UserFactory(nickname="小红")


def _order(buyer, items, key="console-order-01", paid=True):
    order = checkout(buyer, items, key=key)
    if paid:
        pay(buyer, order)
    order.refresh_from_db()
    return order


def _part(order, store) -> StoreOrder:
    return StoreOrder.objects.get(order=order, store=store)


@pytest.fixture
def paid(buyer, sku_a, store_a):
    """A paid order of 3 units of brand A's SKU; its store order is awaiting shipment."""
    return _part(_order(buyer, [(sku_a, 3)]), store_a)


def _ship(client, so, brand_slug="brand-a", **data):
    data = {"carrier": "顺丰速运", "tracking_number": "SF100200300", **data}
    return client.post(reverse("console:order_ship", args=[brand_slug, so.pk]), data)


# --- the list -----------------------------------------------------------------------------------------------


def test_list_shows_the_brands_store_orders_only(staff_client, paid, buyer):
    # given an order of another brand's store
    other = ProductFactory(store=StoreFactory(), name="别家的商品")
    _order(buyer, [(other.skus.get(), 1)], key="console-order-02")

    # when brand A's staff open the order list
    response = staff_client.get(reverse("console:orders", args=["brand-a"]))

    # then only brand A's part is listed, with number, buyer, lines, total and status
    assert response.status_code == 200
    assert [so.pk for so in response.context["page"]] == [paid.pk]
    body = response.content.decode()
    assert paid.order.number in body
    assert "小红" in body and "纯棉连体衣" in body and "×3" in body
    assert f"¥{paid.total}" in body and "待发货" in body
    assert "别家的商品" not in body


def test_list_includes_orders_of_sub_brand_stores_for_the_group(client_for, paid, brand_a):
    # given brand A is a sub-brand of a group, and a group operator
    group = BrandFactory(slug="group", kind="hub")
    brand_a.parent = group
    brand_a.save(update_fields=["parent"])
    group_staff = MembershipFactory(brand=group).user

    # when the group's console lists orders
    response = client_for(group_staff).get(reverse("console:orders", args=["group"]))

    # then brand A's store orders are there
    assert [so.pk for so in response.context["page"]] == [paid.pk]


@pytest.fixture
def four_states(buyer, sku_a, store_a, staff_a):
    """One store order in each of: awaiting payment, awaiting shipment, partially shipped, shipped."""
    unpaid = _part(_order(buyer, [(sku_a, 1)], key="state-unpaid-1", paid=False), store_a)
    waiting = _part(_order(buyer, [(sku_a, 1)], key="state-waiting-1"), store_a)
    partial = _part(_order(buyer, [(sku_a, 2)], key="state-partial-1"), store_a)
    ship(staff_a, partial.pk, carrier="圆通速递", tracking_number="YT1", lines={partial.lines.get().pk: 1})
    shipped = _part(_order(buyer, [(sku_a, 1)], key="state-shipped-1"), store_a)
    ship(staff_a, shipped.pk, carrier="圆通速递", tracking_number="YT2")
    return {"unpaid": unpaid, "waiting": waiting, "partial": partial, "shipped": shipped}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("awaiting_payment", ["unpaid"]),
        ("awaiting_shipment", ["waiting"]),
        ("partially_shipped", ["partial"]),
        ("shipped", ["shipped"]),
        ("received", []),
        ("closed", []),
        ("to_ship", ["partial", "waiting"]),
        ("", ["shipped", "partial", "waiting", "unpaid"]),
        ("bogus", ["shipped", "partial", "waiting", "unpaid"]),  # an unknown tab is not applied
    ],
)
def test_status_tabs_filter_the_list(staff_client, four_states, status, expected):
    response = staff_client.get(reverse("console:orders", args=["brand-a"]), {"status": status})

    assert response.status_code == 200
    assert [so.pk for so in response.context["page"]] == [four_states[k].pk for k in expected]


def test_tabs_show_counts_per_status(staff_client, four_states):
    response = staff_client.get(reverse("console:orders", args=["brand-a"]))

    counts = {key: n for key, _label, n in response.context["tabs"]}
    assert counts == {
        "": 4,
        "awaiting_payment": 1,
        "awaiting_shipment": 1,
        "partially_shipped": 1,
        "shipped": 1,
        "received": 0,
        "closed": 0,
    }


def test_cancelled_orders_are_under_the_closed_tab(staff_client, buyer, sku_a, store_a):
    # given an order the buyer cancelled before paying
    from tribe.orders.services import cancel_order

    order = _order(buyer, [(sku_a, 1)], key="cancelled-0001", paid=False)
    cancel_order(buyer, order.pk)

    response = staff_client.get(reverse("console:orders", args=["brand-a"]), {"status": "closed"})

    assert [so.pk for so in response.context["page"]] == [_part(order, store_a).pk]
    assert "已取消" in response.content.decode()


def test_search_by_order_number(staff_client, four_states):
    number = four_states["partial"].order.number

    response = staff_client.get(reverse("console:orders", args=["brand-a"]), {"q": number[-8:]})

    assert [so.pk for so in response.context["page"]] == [four_states["partial"].pk]
    # the tab counts follow the search
    assert {k: n for k, _label, n in response.context["tabs"]}[""] == 1


def test_search_with_no_match_says_so(staff_client, four_states):
    response = staff_client.get(reverse("console:orders", args=["brand-a"]), {"q": "不存在的单号"})

    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "没有符合条件的订单。" in response.content.decode()


def test_list_is_paginated(staff_client, four_states, monkeypatch):
    monkeypatch.setattr(console_orders, "PAGE_SIZE", 3)

    first = staff_client.get(reverse("console:orders", args=["brand-a"]))
    second = staff_client.get(reverse("console:orders", args=["brand-a"]), {"page": 2})

    assert [so.pk for so in first.context["page"]] == [
        four_states[k].pk for k in ("shipped", "partial", "waiting")
    ]
    assert [so.pk for so in second.context["page"]] == [four_states["unpaid"].pk]
    assert "1 / 2" in first.content.decode() and "page=2" in first.content.decode()


@pytest.mark.parametrize("n", [3, 12])
def test_order_list_query_count_does_not_grow_with_orders(
    staff_client, store_a, n, django_assert_num_queries
):
    # given n paid orders of brand A, each with two lines
    p1 = ProductFactory(store=store_a, skus=[{"price": Decimal("10.00"), "stock": 100}])
    p2 = ProductFactory(store=store_a, skus=[{"price": Decimal("20.00"), "stock": 100}])
    buyer = UserFactory()
    for i in range(n):
        _order(buyer, [(p1.skus.get(), 1), (p2.skus.get(), 2)], key=f"count-order-{i:04d}")
    url = reverse("console:orders", args=["brand-a"])
    staff_client.get(url)  # the first request of a session also writes its visit; measure the steady state

    # when the list is rendered: session, user, brand, memberships, sub-brands, tab counts, page count,
    # store orders with order, buyer and store, lines
    with django_assert_num_queries(9):
        response = staff_client.get(url)

    # then every order is on the page
    assert response.status_code == 200
    assert len(response.context["page"]) == n


# --- one store order ----------------------------------------------------------------------------------------


def test_detail_shows_address_lines_timeline_and_ship_form(staff_client, paid):
    response = staff_client.get(reverse("console:order_detail", args=["brand-a", paid.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    # the address snapshot
    assert "王小明 13800138000" in body and "浙江省杭州市西湖区 文三路 100 号" in body
    # the line, with quantities
    assert "纯棉连体衣" in body and "¥297.00" in body
    # the timeline: placed, then paid
    assert "待付款 → 已付款" in body
    # the ship form offers every common carrier, and everything left as the default quantity
    line = paid.lines.get()
    for carrier in ("顺丰速运", "中通快递", "圆通速递", "韵达快递", "申通快递", "EMS", "京东物流", "其他"):
        assert carrier in body
    assert f'name="line_{line.pk}" value="3"' in body
    assert "确认发货" in body


def test_detail_of_unpaid_order_has_no_ship_form(staff_client, buyer, sku_a, store_a):
    so = _part(_order(buyer, [(sku_a, 1)], paid=False), store_a)

    response = staff_client.get(reverse("console:order_detail", args=["brand-a", so.pk]))

    assert response.status_code == 200
    assert "确认发货" not in response.content.decode()
    assert response.context["ship_form"] is None


def test_detail_of_another_brands_store_order_is_404(staff_client, buyer):
    other = ProductFactory(store=StoreFactory())
    so = _order(buyer, [(other.skus.get(), 1)], key="other-brand-01").store_orders.get()

    response = staff_client.get(reverse("console:order_detail", args=["brand-a", so.pk]))

    assert response.status_code == 404


# --- shipping -----------------------------------------------------------------------------------------------


def test_ship_everything_left(staff_client, paid, staff_a):
    # when staff ship with the default quantities (everything left)
    line = paid.lines.get()
    response = _ship(staff_client, paid, **{f"line_{line.pk}": "3"})

    # then back to the order with a message; one shipment; the part and the order are shipped
    assert response.status_code == 302
    assert response.url == reverse("console:order_detail", args=["brand-a", paid.pk])
    shipment = Shipment.objects.get(store_order=paid)
    assert (shipment.carrier, shipment.tracking_number) == ("顺丰速运", "SF100200300")
    assert list(shipment.lines.values_list("line_id", "quantity")) == [(line.pk, 3)]
    assert StoreOrder.objects.get(pk=paid.pk).status == StoreOrder.Status.SHIPPED
    order = Order.objects.get(pk=paid.order_id)
    assert order.status == Order.Status.SHIPPED
    assert OrderLog.objects.filter(order=order, to_status="shipped", actor=staff_a).count() == 1
    page = staff_client.get(response.url).content.decode()
    assert "已发货：顺丰速运 SF100200300" in page
    assert "确认发货" not in page


def test_ship_without_quantities_ships_everything(staff_client, paid):
    response = _ship(staff_client, paid)

    assert response.status_code == 302
    assert OrderLine.objects.get(store_order=paid).shipped_quantity == 3


def test_partial_shipment_then_the_rest(staff_client, paid):
    line = paid.lines.get()

    # when 1 of 3 is shipped
    first = _ship(staff_client, paid, **{f"line_{line.pk}": "1"})

    # then the part is partially shipped and the form now offers the 2 left
    assert first.status_code == 302
    assert StoreOrder.objects.get(pk=paid.pk).status == StoreOrder.Status.PARTIALLY_SHIPPED
    assert Order.objects.get(pk=paid.order_id).status == Order.Status.PARTIALLY_SHIPPED
    page = staff_client.get(first.url).content.decode()
    assert f'name="line_{line.pk}" value="2"' in page

    # when the rest goes in a second parcel with another carrier
    second = _ship(
        staff_client, paid, carrier="京东物流", tracking_number="JD0001", **{f"line_{line.pk}": "2"}
    )

    # then two shipments, all shipped
    assert second.status_code == 302
    assert list(Shipment.objects.filter(store_order=paid).values_list("carrier", flat=True)) == [
        "顺丰速运",
        "京东物流",
    ]
    assert OrderLine.objects.get(pk=line.pk).shipped_quantity == 3
    assert Order.objects.get(pk=paid.order_id).status == Order.Status.SHIPPED


def test_partial_shipment_of_a_two_line_order_with_a_zero(staff_client, buyer, store_a, sku_a):
    # given an order with two lines of brand A
    other = ProductFactory(store=store_a, name="婴儿袜", skus=[{"price": Decimal("15.00"), "stock": 5}])
    so = _part(_order(buyer, [(sku_a, 1), (other.skus.get(), 2)]), store_a)
    first, second = so.lines.all()

    # when only the first line is shipped (the second's quantity is 0)
    response = _ship(staff_client, so, **{f"line_{first.pk}": "1", f"line_{second.pk}": "0"})

    # then the shipment holds the first line only
    assert response.status_code == 302
    assert _shipped_lines(so) == [(first.pk, 1)]
    assert StoreOrder.objects.get(pk=so.pk).status == StoreOrder.Status.PARTIALLY_SHIPPED


def _shipped_lines(so) -> list[tuple[int, int]]:
    return list(ShipmentLine.objects.filter(shipment__store_order=so).values_list("line_id", "quantity"))


def test_ship_with_another_carrier(staff_client, paid):
    response = _ship(staff_client, paid, carrier="other", carrier_other="德邦快递")

    assert response.status_code == 302
    assert Shipment.objects.get(store_order=paid).carrier == "德邦快递"


def _nothing_shipped(so):
    assert Shipment.objects.filter(store_order=so).count() == 0
    assert OrderLine.objects.get(store_order=so).shipped_quantity == 0
    assert StoreOrder.objects.get(pk=so.pk).status == StoreOrder.Status.AWAITING_SHIPMENT
    assert Order.objects.get(pk=so.order_id).status == Order.Status.PAID


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"tracking_number": ""}, 422, "此项必填"),
        ({"tracking_number": "   "}, 422, "此项必填"),
        ({"tracking_number": "X" * 41}, 422, "最多 40 个字符"),
        ({"carrier": "other", "carrier_other": ""}, 422, "此项必填"),
        ({"carrier": "火星快递"}, 422, "选择一个有效的选项"),
        ({"LINE": "4"}, 422, "可发 1 到 3 件"),
        ({"LINE": "-1"}, 422, "可发 1 到 3 件"),
        ({"LINE": "0"}, 422, "没有要发出的商品"),
        ({"LINE": "一"}, 422, "输入整数"),
    ],
    ids=[
        "empty-tracking",
        "blank-tracking",
        "long-tracking",
        "other-carrier-unnamed",
        "unknown-carrier",
        "more-than-left",
        "negative",
        "all-zero",
        "not-a-number",
    ],
)
def test_bad_ship_input_is_4xx_with_message_and_nothing_changes(staff_client, paid, data, status, message):
    line = paid.lines.get()
    if "LINE" in data:
        data = {**data, f"line_{line.pk}": data.pop("LINE")}

    response = _ship(staff_client, paid, **data)

    assert response.status_code == status
    assert message in response.content.decode()
    _nothing_shipped(paid)


def test_shipping_more_than_left_after_a_partial_shipment(staff_client, paid, staff_a):
    line = paid.lines.get()
    ship(staff_a, paid.pk, carrier="顺丰速运", tracking_number="SF1", lines={line.pk: 2})

    response = _ship(staff_client, paid, **{f"line_{line.pk}": "2"})

    assert response.status_code == 422
    body = response.content.decode()
    assert "可发 1 到 1 件" in body and "发货数量超出了可发数量，未发货。" in body
    assert Shipment.objects.filter(store_order=paid).count() == 1
    assert OrderLine.objects.get(pk=line.pk).shipped_quantity == 2


def test_shipping_a_line_of_another_store_is_refused(staff_client, buyer, store_a, sku_a):
    # given one checkout with a line from brand A's store and one from brand B's store
    brand_b_product = ProductFactory(store=StoreFactory(brand=BrandFactory(slug="brand-b")))
    order = _order(buyer, [(sku_a, 1), (brand_b_product.skus.get(), 1)])
    mine = _part(order, store_a)
    theirs = StoreOrder.objects.exclude(pk=mine.pk).get(order=order)
    their_line = theirs.lines.get()

    # when brand A's staff post B's line in A's ship form
    response = _ship(staff_client, mine, **{f"line_{mine.lines.get().pk}": "1", f"line_{their_line.pk}": "1"})

    # then it is refused and nothing of either part is shipped
    assert response.status_code == 422
    assert "发货单中有不属于该店铺订单的商品，未发货。" in response.content.decode()
    assert Shipment.objects.filter(store_order__order=order).count() == 0
    assert OrderLine.objects.filter(order=order, shipped_quantity__gt=0).count() == 0
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_shipping_an_unpaid_order_is_409(staff_client, buyer, sku_a, store_a):
    so = _part(_order(buyer, [(sku_a, 1)], paid=False), store_a)

    response = _ship(staff_client, so)

    assert response.status_code == 409
    assert "该订单当前不能发货" in response.content.decode()
    assert Shipment.objects.count() == 0
    assert Order.objects.get(pk=so.order_id).status == Order.Status.PENDING_PAYMENT


def test_shipping_twice_is_409_and_ships_once(staff_client, paid):
    assert _ship(staff_client, paid).status_code == 302

    response = _ship(staff_client, paid, tracking_number="SF-AGAIN")

    assert response.status_code == 409
    assert "该订单当前不能发货" in response.content.decode()
    assert list(Shipment.objects.values_list("tracking_number", flat=True)) == ["SF100200300"]


def test_unshipped_units_refunded_are_not_offered_for_shipping(staff_client, paid, buyer, staff_a):
    # given the buyer got 1 of the 3 units refunded before shipping
    from tribe.aftersales.services import approve_refund

    line = paid.lines.get()
    approve_refund(
        staff_a, request_refund(buyer, line.pk, kind="refund_only", quantity=1, reason="拍多了").pk
    )

    # then the ship form offers 2, and shipping 3 is refused
    page = staff_client.get(reverse("console:order_detail", args=["brand-a", paid.pk])).content.decode()
    assert f'name="line_{line.pk}" value="2"' in page
    response = _ship(staff_client, paid, **{f"line_{line.pk}": "3"})
    assert response.status_code == 422
    assert "可发 1 到 2 件" in response.content.decode()


# --- delivery -----------------------------------------------------------------------------------------------


@pytest.fixture
def shipment(paid, staff_a):
    return ship(staff_a, paid.pk, carrier="中通快递", tracking_number="ZT123")


def test_mark_delivered_from_htmx_answers_with_the_row(staff_client, shipment):
    response = staff_client.post(
        reverse("console:shipment_deliver", args=["brand-a", shipment.pk]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith(f'<tr id="shipment-{shipment.pk}">')
    assert "已送达" in body and "已保存" in body and "标记已送达" not in body
    assert Shipment.objects.get(pk=shipment.pk).delivered_at is not None


def test_mark_delivered_without_script_redirects_to_the_order(staff_client, shipment, paid):
    response = staff_client.post(reverse("console:shipment_deliver", args=["brand-a", shipment.pk]))

    assert response.status_code == 302
    assert response.url == reverse("console:order_detail", args=["brand-a", paid.pk])
    assert Shipment.objects.get(pk=shipment.pk).delivered_at is not None


def test_detail_lists_shipments_with_a_deliver_button(staff_client, shipment, paid):
    body = staff_client.get(reverse("console:order_detail", args=["brand-a", paid.pk])).content.decode()

    assert f'<tr id="shipment-{shipment.pk}">' in body
    assert "中通快递" in body and "ZT123" in body and "标记已送达" in body


def test_deliver_is_post_only(staff_client, shipment):
    response = staff_client.get(reverse("console:shipment_deliver", args=["brand-a", shipment.pk]))

    assert response.status_code == 405
    assert Shipment.objects.get(pk=shipment.pk).delivered_at is None


# --- dashboard and navigation -------------------------------------------------------------------------------


def test_dashboard_counts_orders_to_ship_and_open_after_sales(staff_client, four_states, buyer):
    # given one refund request waiting for the store
    request_refund(
        buyer, four_states["waiting"].lines.get().pk, kind="refund_only", quantity=1, reason="不要了"
    )

    body = staff_client.get(reverse("console:dashboard", args=["brand-a"])).content.decode()

    # then 待发货 counts the waiting and the partly shipped parts; 售后待处理 the one request
    assert '<b data-stat="to_ship">2</b>待发货' in body
    assert '<b data-stat="refunds_open">1</b>售后待处理' in body
    assert "?status=to_ship" in body and "?status=open" in body


def test_console_nav_links_orders_refunds_and_stock(staff_client, brand_a):
    body = staff_client.get(reverse("console:orders", args=["brand-a"])).content.decode()

    assert f'<a href="{reverse("console:orders", args=["brand-a"])}" class="active">订单</a>' in body
    assert f'href="{reverse("console:refunds", args=["brand-a"])}"' in body
    assert f'href="{reverse("console:stock", args=["brand-a"])}"' in body


def test_a_multi_store_orders_timeline_shows_each_store_only_its_own_steps(client_for, buyer, sku_a, store_a,
                                                                             brand_b, staff_a, staff_b):
    # given one checkout with items of brand A and brand B, and brand B has shipped its part
    store_b = StoreFactory(brand=brand_b)
    sku_b = ProductFactory(store=store_b).skus.get()
    order = _order(buyer, [(sku_a, 1), (sku_b, 1)], key="two-store-log-1")
    ship(staff_b, _part(order, store_b).pk, carrier="圆通速递", tracking_number="YT-SECRET-1")
    # when brand A's staff open their part of the order
    response = client_for(staff_a).get(reverse("console:order_detail", args=["brand-a", _part(order, store_a).pk]))
    # then they see the order-level steps but not brand B's parcel
    body = response.content.decode()
    assert response.status_code == 200
    assert "YT-SECRET-1" not in body
    assert OrderLog.objects.filter(order=order, store=store_b, message__contains="YT-SECRET-1").count() == 1
