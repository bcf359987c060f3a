"""The cart pages: add from a product or bundle page, the cart with flagged lines, the quantity stepper,
remove, the header badge, and the anonymous cart joining the user's at login."""

from decimal import Decimal

import pytest

from tests.factories import PASSWORD, ProductFactory, StoreFactory, UserFactory
from tribe.catalog.models import Bundle, BundleItem, Sku
from tribe.core.models import Event
from tribe.orders.cart import add_to_cart, get_cart
from tribe.orders.models import Cart, CartLine

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def text_of(response) -> str:
    return response.content.decode()


def sku_of(product) -> Sku:
    return product.skus.get()


@pytest.fixture
def goods(db):
    """Two stores: a scarf (59.90, stock 5) and a teapot (128.00, stock 3) in one, tea (35.50, stock 9) in
    the other."""
    tea_house, craft = StoreFactory(name="茶舍"), StoreFactory(name="手作铺")
    return {
        "craft": craft, "tea_house": tea_house,
        "scarf": ProductFactory(name="羊毛围巾", store=craft, skus=[{"price": Decimal("59.90"), "stock": 5}]),
        "teapot": ProductFactory(name="紫砂壶", store=craft, skus=[{"price": Decimal("128.00"), "stock": 3}]),
        "tea": ProductFactory(name="龙井", store=tea_house, skus=[{"price": Decimal("35.50"), "stock": 9}]),
    }


def cart_lines(client) -> list[tuple[int, int]]:
    """(sku id, quantity) of the visitor's session cart."""
    cart = Cart.objects.filter(session_key=client.session.session_key, user__isnull=True).first()
    return sorted(cart.lines.values_list("sku_id", "quantity")) if cart else []


def test_add_to_cart_ignores_a_sent_price_and_the_cart_shows_the_current_one(client, goods):
    # given
    scarf = sku_of(goods["scarf"])
    client.get(f"/p/{goods['scarf'].id}/")

    # when the form is posted with a forged price field
    response = client.post("/cart/add/", {"sku_id": scarf.id, "quantity": "2", "price": "0.01",
                                          "next": f"/p/{goods['scarf'].id}/"})

    # then it redirects back to the product page, and the cart holds the line at the server's price
    assert response.status_code == 302 and response["Location"] == f"/p/{goods['scarf'].id}/"
    assert cart_lines(client) == [(scarf.id, 2)]
    html = text_of(client.get("/cart/"))
    assert '<span class="price" data-testid="unit-price">¥59.90</span>' in html
    assert '<span class="price big" data-testid="cart-total">¥119.80</span>' in html
    assert '<span class="badge" data-testid="cart-count">1</span>' in html
    event = Event.objects.get(name="add_to_cart")
    assert (event.props, event.object_type, event.object_id, event.brand_id) == (
        {"sku_id": scarf.id, "quantity": 2, "bundle": None}, "product", goods["scarf"].id,
        goods["scarf"].brand_id)


def test_add_to_cart_over_htmx_answers_a_message_and_the_badge_out_of_band(client, goods):
    # when
    response = client.post("/cart/add/", {"sku_id": sku_of(goods["tea"]).id}, **HTMX)

    # then
    html = text_of(response)
    assert response.status_code == 200
    assert "已加入购物车" in html
    assert 'id="cart-link"' in html and 'hx-swap-oob="true"' in html
    assert '<span class="badge" data-testid="cart-count">1</span>' in html
    assert cart_lines(client) == [(sku_of(goods["tea"]).id, 1)]


def test_adding_the_same_sku_again_adds_to_its_line(client, goods):
    tea = sku_of(goods["tea"])
    client.post("/cart/add/", {"sku_id": tea.id, "quantity": "2"})
    client.post("/cart/add/", {"sku_id": tea.id, "quantity": "3"})
    assert cart_lines(client) == [(tea.id, 5)]


def test_buy_now_adds_then_goes_to_checkout(client, goods):
    response = client.post("/cart/add/", {"sku_id": sku_of(goods["tea"]).id, "quantity": "1", "buy_now": "1"})
    assert response.status_code == 302 and response["Location"] == "/checkout/"
    assert cart_lines(client) == [(sku_of(goods["tea"]).id, 1)]


@pytest.mark.parametrize(("quantity", "status", "message"), [
    ("-1", 422, "数量请填写 1–99 之间的整数"),
    ("0", 422, "数量请填写 1–99 之间的整数"),
    ("100", 422, "数量请填写 1–99 之间的整数"),
    ("99999999999999999999999", 422, "数量请填写 1–99 之间的整数"),
    ("abc", 422, "数量请填写 1–99 之间的整数"),
    ("1.5", 422, "数量请填写 1–99 之间的整数"),
    ("6", 409, "库存不足，仅剩 5 件"),
])
def test_add_to_cart_refuses_bad_quantities_and_writes_nothing(client, goods, quantity, status, message):
    # when
    response = client.post("/cart/add/", {"sku_id": sku_of(goods["scarf"]).id, "quantity": quantity})

    # then
    assert response.status_code == status
    assert f'<p class="error-message">{message}</p>' in text_of(response)
    assert (Cart.objects.count(), CartLine.objects.count(), Event.objects.filter(name="add_to_cart").count()) == (
        0, 0, 0)


@pytest.mark.parametrize(("sku_id", "status", "message"), [
    ("999999", 404, "商品不存在"),
    (str(2**70), 422, "商品不存在"),
    ("abc", 422, "请选择规格"),
    ("", 422, "请选择规格"),
])
def test_add_to_cart_refuses_unknown_skus(client, goods, sku_id, status, message):
    response = client.post("/cart/add/", {"sku_id": sku_id, "quantity": "1"}, **HTMX)
    assert response.status_code == status
    assert f'<p class="errorlist" data-testid="cart-message" role="status">{message}</p>' in text_of(response)
    assert (Cart.objects.count(), CartLine.objects.count()) == (0, 0)


def test_add_to_cart_refuses_sold_out_and_unpublished_skus(client, goods):
    # given
    Sku.objects.filter(pk=sku_of(goods["scarf"]).pk).update(stock=0)
    hidden = ProductFactory(store=goods["craft"], published=False)

    # when
    sold_out = client.post("/cart/add/", {"sku_id": sku_of(goods["scarf"]).id})
    unpublished = client.post("/cart/add/", {"sku_id": sku_of(hidden).id})

    # then
    assert (sold_out.status_code, unpublished.status_code) == (409, 422)
    assert "库存不足，仅剩 0 件" in text_of(sold_out)
    assert "该商品已下架" in text_of(unpublished)
    assert (Cart.objects.count(), CartLine.objects.count()) == (0, 0)


def test_cart_groups_lines_by_store_flags_problems_and_totals_only_what_can_be_bought(client, goods):
    # given a cart with five lines, three of which can no longer be bought as they are
    extra = ProductFactory(name="竹筷", store=goods["craft"], skus=[{"price": Decimal("20.00"), "stock": 4}])
    for product, qty in [(goods["scarf"], 1), (goods["teapot"], 2), (goods["tea"], 3), (extra, 4)]:
        client.post("/cart/add/", {"sku_id": sku_of(product).id, "quantity": qty})
    gone = ProductFactory(name="限量杯", store=goods["tea_house"], skus=[{"price": Decimal("88.00"), "stock": 2}])
    client.post("/cart/add/", {"sku_id": sku_of(gone).id, "quantity": 1})
    Sku.objects.filter(pk=sku_of(goods["teapot"]).pk).update(stock=1)  # 2 wanted, 1 left
    Sku.objects.filter(pk=sku_of(extra).pk).update(stock=0)
    gone.published = False
    gone.save()

    # when
    response = client.get("/cart/")

    # then
    html = text_of(response)
    assert response.status_code == 200
    assert html.count('data-testid="cart-store"') == 2
    assert html.index("手作铺") < html.index("茶舍")  # the store of the first line added comes first
    assert html.count('data-testid="cart-line"') == 5
    problems = [part.split("</span>")[0] for part in html.split('<span class="tag" data-testid="line-problem">')[1:]]
    assert problems == ["库存不足", "已售罄", "已下架"]
    assert "仅剩 1 件" in html
    # only the scarf (59.90) and the tea (3 × 35.50) count
    assert '<span class="price big" data-testid="cart-total">¥166.40</span>' in html
    assert "有 3 种商品暂时不能购买" in html
    assert '<a class="btn" href="/checkout/" data-testid="checkout">' in html


def test_checkout_button_is_disabled_when_nothing_can_be_bought(client, goods):
    client.post("/cart/add/", {"sku_id": sku_of(goods["tea"]).id})
    Sku.objects.filter(pk=sku_of(goods["tea"]).pk).update(stock=0)
    html = text_of(client.get("/cart/"))
    assert '<button class="btn" type="button" disabled data-testid="checkout">' in html
    assert '<span class="price big" data-testid="cart-total">¥0.00</span>' in html


def test_empty_cart_page(client):
    response = client.get("/cart/")
    assert response.status_code == 200
    assert 'data-testid="cart-empty"' in text_of(response)
    assert Cart.objects.count() == 0


def test_quantity_stepper_sets_and_steps_and_answers_htmx_with_the_cart_fragment(client, goods):
    # given
    client.post("/cart/add/", {"sku_id": sku_of(goods["tea"]).id, "quantity": 1})
    line = CartLine.objects.get()

    # when the number is typed (plain form post)
    response = client.post(f"/cart/lines/{line.id}/quantity/", {"quantity": "4"})

    # then
    assert response.status_code == 302 and response["Location"] == "/cart/"
    assert CartLine.objects.get().quantity == 4

    # when "+" is pressed over HTMX
    response = client.post(f"/cart/lines/{line.id}/quantity/", {"quantity": "4", "step": "1"}, **HTMX)

    # then the fragment shows the new total (5 × 35.50) and carries the badge
    html = text_of(response)
    assert response.status_code == 200 and "<html" not in html
    assert '<span class="price big" data-testid="cart-total">¥177.50</span>' in html
    assert 'hx-swap-oob="true"' in html
    assert CartLine.objects.get().quantity == 5

    # and "−" steps down
    client.post(f"/cart/lines/{line.id}/quantity/", {"quantity": "5", "step": "-1"}, **HTMX)
    assert CartLine.objects.get().quantity == 4


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"quantity": "0"}, 422, "数量请填写 1–99 之间的整数"),
    ({"quantity": "1", "step": "-1"}, 422, "数量请填写 1–99 之间的整数"),
    ({"quantity": "-3"}, 422, "数量请填写 1–99 之间的整数"),
    ({"quantity": "100"}, 422, "数量请填写 1–99 之间的整数"),
    ({"quantity": "123456789012345678901234567890"}, 422, "数量请填写 1–99 之间的整数"),
    ({"quantity": "x"}, 422, "数量请填写 1–99 之间的整数"),
    ({"quantity": "2", "step": "5"}, 422, "请用 + 或 − 调整数量"),
    ({"quantity": "10"}, 409, "库存不足，仅剩 9 件"),
])
def test_quantity_stepper_refuses_bad_quantities(client, goods, data, status, message):
    # given
    client.post("/cart/add/", {"sku_id": sku_of(goods["tea"]).id, "quantity": 2})
    line = CartLine.objects.get()

    # when
    response = client.post(f"/cart/lines/{line.id}/quantity/", data, **HTMX)

    # then the fragment shows why, with a 4xx status, and the line is unchanged
    assert response.status_code == status
    assert f'<p class="banner error" role="alert" data-testid="cart-error">{message}</p>' in text_of(response)
    assert CartLine.objects.get().quantity == 2


def test_someone_elses_cart_line_cannot_be_changed_or_removed(client, goods):
    # given another shopper's cart
    other = UserFactory()
    line = add_to_cart(get_cart(other, create=True), sku_of(goods["tea"]).id, 2)
    client.post("/cart/add/", {"sku_id": sku_of(goods["scarf"]).id})

    # when
    changed = client.post(f"/cart/lines/{line.id}/quantity/", {"quantity": "5"})
    removed = client.post(f"/cart/lines/{line.id}/remove/")
    huge = client.post(f"/cart/lines/{2**70}/remove/")

    # then
    assert (changed.status_code, removed.status_code, huge.status_code) == (404, 404, 404)
    assert "购物车里没有这件商品" in text_of(removed)
    assert CartLine.objects.get(pk=line.pk).quantity == 2


def test_remove_a_line(client, goods):
    # given
    for product in (goods["tea"], goods["scarf"]):
        client.post("/cart/add/", {"sku_id": sku_of(product).id})
    line = CartLine.objects.get(sku=sku_of(goods["tea"]))

    # when
    response = client.post(f"/cart/lines/{line.id}/remove/", **HTMX)

    # then
    html = text_of(response)
    assert response.status_code == 200
    assert cart_lines(client) == [(sku_of(goods["scarf"]).id, 1)]
    assert '<span class="badge" data-testid="cart-count">1</span>' in html
    assert '<span class="price big" data-testid="cart-total">¥59.90</span>' in html


def make_bundle(items, slug="tea-set") -> Bundle:
    bundle = Bundle.objects.create(name="品茶套装", slug=slug)
    for i, (product, qty) in enumerate(items):
        BundleItem.objects.create(bundle=bundle, product=product, quantity=qty, position=i)
    return bundle


def test_add_a_whole_bundle(client, goods):
    # given
    bundle = make_bundle([(goods["teapot"], 1), (goods["tea"], 2)])

    # when
    response = client.post(f"/cart/bundle/{bundle.slug}/", {"next": f"/bundle/{bundle.slug}/"})

    # then
    assert response.status_code == 302 and response["Location"] == f"/bundle/{bundle.slug}/"
    assert cart_lines(client) == sorted([(sku_of(goods["teapot"]).id, 1), (sku_of(goods["tea"]).id, 2)])
    assert sorted((e.props["sku_id"], e.props["quantity"], e.props["bundle"])
                  for e in Event.objects.filter(name="add_to_cart")) == sorted(
        [(sku_of(goods["teapot"]).id, 1, bundle.id), (sku_of(goods["tea"]).id, 2, bundle.id)])
    assert 'data-testid="add-bundle"' in text_of(client.get(f"/bundle/{bundle.slug}/"))


def test_a_bundle_with_an_item_out_of_stock_adds_nothing(client, goods):
    # given
    bundle = make_bundle([(goods["teapot"], 1), (goods["tea"], 2)])
    Sku.objects.filter(pk=sku_of(goods["tea"]).pk).update(stock=1)

    # when
    response = client.post(f"/cart/bundle/{bundle.slug}/", **HTMX)

    # then
    assert response.status_code == 422
    assert "组合中这些商品暂时无货：龙井" in text_of(response)
    assert (Cart.objects.count(), CartLine.objects.count()) == (0, 0)
    assert client.post("/cart/bundle/no-such-bundle/").status_code == 404


def test_login_moves_the_session_cart_into_the_users_cart(client, goods):
    # given a shopper who already has the tea in their cart, and adds tea and a scarf before logging in
    shopper = UserFactory()
    add_to_cart(get_cart(shopper, create=True), sku_of(goods["tea"]).id, 1)
    client.post("/cart/add/", {"sku_id": sku_of(goods["tea"]).id, "quantity": 2})
    client.post("/cart/add/", {"sku_id": sku_of(goods["scarf"]).id, "quantity": 1})

    # when
    response = client.post("/accounts/login/", {"username": shopper.username, "password": PASSWORD,
                                                "next": "/cart/"})

    # then
    assert response.status_code == 302
    assert sorted(get_cart(shopper).lines.values_list("sku_id", "quantity")) == sorted(
        [(sku_of(goods["tea"]).id, 3), (sku_of(goods["scarf"]).id, 1)])
    assert Cart.objects.filter(user__isnull=True).count() == 0
    assert '<span class="badge" data-testid="cart-count">2</span>' in text_of(client.get("/"))


def test_registration_keeps_the_session_cart(client, goods):
    client.post("/cart/add/", {"sku_id": sku_of(goods["tea"]).id, "quantity": 2})
    client.post("/accounts/register/", {"username": "newbuyer", "password": PASSWORD, "password2": PASSWORD})
    cart = Cart.objects.get(user__username="newbuyer")
    assert list(cart.lines.values_list("sku_id", "quantity")) == [(sku_of(goods["tea"]).id, 2)]


# Queries for the cart page of a visitor whose session exists: session, cart, its lines (with SKU, product,
# store, brand) and their images.
CART_QUERIES = 4


@pytest.mark.parametrize("n", [2, 8])
def test_cart_page_query_count_does_not_grow_with_lines(client, django_assert_num_queries, n):
    # given n lines from two stores
    stores = [StoreFactory(), StoreFactory()]
    for i in range(n):
        product = ProductFactory(store=stores[i % 2], skus=[{"price": Decimal("10.00") + i, "stock": 5}])
        client.post("/cart/add/", {"sku_id": sku_of(product).id})
    client.get("/cart/")

    # when / then
    with django_assert_num_queries(CART_QUERIES):
        response = client.get("/cart/")
    assert text_of(response).count('data-testid="cart-line"') == n
