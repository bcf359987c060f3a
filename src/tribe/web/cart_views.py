"""The cart pages: add from a product or bundle page, the cart itself, its quantity stepper and remove.

Thin: parse with a form, call one tribe.orders.cart service, render. Every write answers an HTMX request with
a fragment (and the header's cart badge out of band) and a plain form post with a redirect, so the pages
work without JavaScript. Prices are never read from the request; the cart shows the current ones.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tribe.catalog.models import Bundle, Product, Sku
from tribe.core.errors import DomainError
from tribe.core.events import record_event
from tribe.orders.cart import (
    add_bundle,
    add_to_cart,
    cart_for_request,
    cart_rows,
    cart_total,
    merge_session_cart,
    remove_line,
    set_quantity,
)
from tribe.orders.models import CartLine

from .listing import is_htmx_partial
from .order_forms import MAX_ID, AddToCartForm, QuantityForm, describe, first_error

# The header badge reads the number of cart lines from the session, so ordinary pages pay no query for it.
# Every page that changes or shows the cart refreshes it (a change made elsewhere shows at the next one).
COUNT_KEY = "cart_lines"
# Why a line cannot be bought now (tribe.orders.cart.PROBLEMS, as msgids for the catalogue)
PROBLEM_LABELS = {
    "not_on_sale": gettext_lazy("已下架"),
    "sold_out": gettext_lazy("已售罄"),
    "insufficient_stock": gettext_lazy("库存不足"),
}


def remember_count(request: HttpRequest, count: int) -> None:
    if request.session.get(COUNT_KEY, 0) != count:  # only a change costs a session write
        request.session[COUNT_KEY] = count


def merge_at_login(request: HttpRequest, anonymous_session_key: str | None, user) -> None:
    """After login or registration: the visitor's session cart joins the user's cart (the session key was
    taken before django's login() rotated it)."""
    merge_session_cart(anonymous_session_key, user)
    remember_count(request, CartLine.objects.filter(cart__user=user).count())


def _ensure_session(request: HttpRequest) -> None:
    """An anonymous cart is keyed on the session: start it outside the transaction below, whose rollback
    (a refused add) would otherwise take the new session row with it."""
    if request.session.session_key is None:
        request.session.save()


def _back_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _record_adds(request: HttpRequest, lines: list[tuple[int, int]], bundle: Bundle | None) -> None:
    """One add_to_cart event per SKU added, on its product (one query for all of them)."""
    products = dict(Sku.objects.filter(pk__in=[sku_id for sku_id, _ in lines]).values_list("pk", "product_id"))
    brands = dict(Product.objects.filter(pk__in=set(products.values())).values_list("pk", "brand_id"))
    for sku_id, quantity in lines:
        product_id = products.get(sku_id)
        record_event(
            "add_to_cart",
            request,
            obj=Product(pk=product_id) if product_id else None,
            brand_id=brands.get(product_id),
            props={"sku_id": sku_id, "quantity": quantity, "bundle": bundle.pk if bundle else None},
        )


def _added(request: HttpRequest, cart, *, message: str, back: str, buy_now: bool = False) -> HttpResponse:
    remember_count(request, cart.lines.count())
    if buy_now:
        return redirect("web:checkout")
    if is_htmx_partial(request):
        return render(request, "web/cart_added.html", {"message": message, "ok": True})
    messages.success(request, message)
    return redirect(back)


def _add_failed(request: HttpRequest, message: str, status: int, back: str) -> HttpResponse:
    """Nothing was added: say why, with the right 4xx status (HTMX swaps it into the page's message box)."""
    if is_htmx_partial(request):
        return render(request, "web/cart_added.html", {"message": message, "ok": False}, status=status)
    return render(request, "web/cart_error.html", {"message": message, "back": back}, status=status)


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    back = _back_url(request, reverse("web:cart"))
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        return _add_failed(request, first_error(form), 422, back)
    sku_id, quantity = form.cleaned_data["sku_id"], form.cleaned_data["quantity"]
    _ensure_session(request)
    try:
        with transaction.atomic():  # a refused add leaves no empty cart behind
            cart = cart_for_request(request, create=True)
            add_to_cart(cart, sku_id, quantity)
    except DomainError as error:
        return _add_failed(request, describe(error), error.status, back)
    _record_adds(request, [(sku_id, quantity)], None)
    return _added(request, cart, message=_("已加入购物车"), back=back, buy_now=bool(request.POST.get("buy_now")))


@require_POST
def cart_add_bundle(request: HttpRequest, slug: str) -> HttpResponse:
    bundle = get_object_or_404(Bundle, slug=slug, published=True)
    back = _back_url(request, reverse("web:bundle", args=[bundle.slug]))
    _ensure_session(request)
    try:
        with transaction.atomic():
            cart = cart_for_request(request, create=True)
            lines = add_bundle(cart, bundle)
    except DomainError as error:
        return _add_failed(request, describe(error), error.status, back)
    # add_bundle returns each line with its new total; the event wants what this click added
    added = {item.product_id: item.quantity for item in bundle.items.all()}
    skus = dict(Sku.objects.filter(pk__in=[ln.sku_id for ln in lines]).values_list("pk", "product_id"))
    _record_adds(request, [(ln.sku_id, added.get(skus.get(ln.sku_id), 1)) for ln in lines], bundle)
    return _added(request, cart, back=back, message=_("整套 %(n)s 件商品已加入购物车") % {"n": len(lines)})


def _groups(rows) -> list[dict]:
    """Cart rows grouped by store, stores in the order their first line was added."""
    groups: dict[int, dict] = {}
    for row in rows:
        store = row.line.sku.product.store
        group = groups.setdefault(store.pk, {"store": store, "rows": []})
        row.problem_label = PROBLEM_LABELS.get(row.problem, row.problem)
        group["rows"].append(row)
    return list(groups.values())


def _render_cart(request: HttpRequest, cart, *, error: str = "", status: int = 200) -> HttpResponse:
    rows = cart_rows(cart)
    remember_count(request, len(rows))
    buyable = [r for r in rows if not r.problem]
    context = {
        "groups": _groups(rows),
        "rows": rows,
        "total": cart_total(rows),
        "buyable_count": len(buyable),
        "flagged_count": len(rows) - len(buyable),
        "error": error,
        "partial": is_htmx_partial(request),
    }
    template = "web/cart_body.html" if context["partial"] else "web/cart.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def cart(request: HttpRequest) -> HttpResponse:
    return _render_cart(request, cart_for_request(request))


def _changed(request: HttpRequest, cart, error: DomainError | None = None, message: str = "") -> HttpResponse:
    if error is not None:
        return _render_cart(request, cart, error=message or describe(error), status=error.status)
    if message and not is_htmx_partial(request):
        messages.success(request, message)
    if is_htmx_partial(request):
        return _render_cart(request, cart)
    return redirect("web:cart")


@require_POST
def cart_quantity(request: HttpRequest, line_id: int) -> HttpResponse:
    cart = cart_for_request(request)
    form = QuantityForm(request.POST)
    if not form.is_valid():
        return _render_cart(request, cart, error=first_error(form), status=422)
    if cart is None or line_id > MAX_ID:
        return _render_cart(request, cart, error=_("购物车里没有这件商品"), status=404)
    try:
        set_quantity(cart, line_id, form.new_quantity())
    except DomainError as error:
        return _changed(request, cart, error)
    return _changed(request, cart)


@require_POST
def cart_remove(request: HttpRequest, line_id: int) -> HttpResponse:
    cart = cart_for_request(request)
    if cart is None or line_id > MAX_ID:
        return _render_cart(request, cart, error=_("购物车里没有这件商品"), status=404)
    try:
        remove_line(cart, line_id)
    except DomainError as error:
        return _changed(request, cart, error)
    return _changed(request, cart, message=_("已从购物车移除"))
