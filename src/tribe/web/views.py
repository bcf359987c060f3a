"""Storefront pages: home, store, category, product, bundles, search. Thin: parse, look up, call the search
service, record the event, render. Brand stations live in station_views, accounts in account_views."""

from __future__ import annotations

from decimal import Decimal

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tribe.brands.models import Brand, Store
from tribe.brands.selectors import can_manage_brand
from tribe.catalog.models import Bundle, Category, Product, ProductImage
from tribe.core.events import record_event
from tribe.core.money import quantize
from tribe.posts.selectors import product_posts
from tribe.search.services import search_products
from tribe.sharing.services import note_share_open
from tribe.social.proof import friends_bought

from .forms import MAX_PAGE, ListingFilterForm
from .listing import bad_request, indent_tree, is_htmx_partial, listing_context
from .review_views import review_section

HOME_PRODUCTS = 12
HOME_BUNDLES = 6
HOME_BRANDS_PER_KIND = 4
STORE_MORE = 8
BUNDLES_PER_PAGE = 12
MAX_ID = 2**63 - 1


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    brands = Brand.objects.filter(is_active=True, parent__isnull=True).order_by("id")[:60]
    stations = {kind: [] for kind, _label in Brand.Kind.choices}
    for brand in brands:
        if len(stations[brand.kind]) < HOME_BRANDS_PER_KIND:
            stations[brand.kind].append(brand)
    station_groups = [
        {"kind": kind, "label": label, "brands": stations[kind]}
        for kind, label in Brand.Kind.choices if stations[kind]
    ]
    categories = Category.objects.filter(parent__isnull=True).prefetch_related(
        Prefetch("children", queryset=Category.objects.order_by("position", "id"))
    )
    return render(request, "web/home.html", {
        "station_groups": station_groups,
        "categories": categories,
        "products": Product.objects.published().for_cards()[:HOME_PRODUCTS],
        "bundles": Bundle.objects.filter(published=True).annotate(item_count=Count("items"))[:HOME_BUNDLES],
    })


def _listing(request, template: str, *, context: dict, src: str, fixed_category=None, store_id=None,
             with_relevance=False) -> HttpResponse:
    """Parse the filters, run the search service, render the page or (for HTMX) just the results."""
    form = ListingFilterForm(request.GET, fixed_category=fixed_category)
    if not form.is_valid():
        return bad_request(request, form.error_text())
    result = search_products(form.params(store_id=store_id))
    context.update(listing_context(request, result, src=src, with_relevance=with_relevance))
    context["form"] = form
    context["filters"] = form.cleaned_data
    if is_htmx_partial(request):
        response = render(request, "web/_results.html", context)
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    partial = is_htmx_partial(request)  # the filter form is not re-rendered on a swap
    context = {
        "search_q": request.GET.get("q", "").strip(),
        "categories": [] if partial else indent_tree(list(Category.objects.order_by("path"))),
        "brands": Brand.objects.filter(is_active=True).order_by("name"),
        "filter_url": request.path,
    }
    response = _listing(request, "web/search.html", context=context, src="search", with_relevance=True)
    if response.status_code == 200:
        query, count = context["filters"]["q"], context["result"].count
        record_event("search", request, props={"query": query, "result_count": count})
    return response


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    node = get_object_or_404(Category, slug=slug)
    ids = [int(x) for x in node.path.strip("/").split("/") if x]
    by_id = Category.objects.in_bulk(ids)
    context = {
        "category": node,
        "ancestors": [by_id[i] for i in ids[:-1] if i in by_id],
        "children": list(node.children.all()),
        "brands": Brand.objects.filter(
            is_active=True,
            id__in=Product.objects.published().filter(category__path__startswith=node.path).values("brand_id"),
        ).order_by("name"),
        "filter_url": request.path,
    }
    response = _listing(request, "web/category.html", context=context, src="category", fixed_category=node)
    if response.status_code == 200 and not is_htmx_partial(request):  # a filter change is not another visit
        record_event("category_view", request, obj=node)
    return response


@require_GET
def store(request: HttpRequest, slug: str) -> HttpResponse:
    shop = get_object_or_404(Store.objects.select_related("brand"), slug=slug, is_active=True)
    context = {"store": shop, "filter_url": request.path}
    response = _listing(request, "web/store.html", context=context, src="store", store_id=shop.id)
    if response.status_code == 200 and not is_htmx_partial(request):
        record_event("store_visit", request, obj=shop, brand_id=shop.brand_id)
    return response


def _sku_picker(product: Product, skus: list) -> dict:
    """Option values per option name (in first-seen order) with whether any in-stock SKU has them, plus the
    SKU table the picker script reads (prices as strings: the browser never does money arithmetic)."""
    options = []
    for name in product.option_names:
        values: dict[str, bool] = {}
        for sku in skus:
            value = str(sku.options.get(name, ""))
            values[value] = values.get(value, False) or sku.stock > 0
        options.append({"name": name, "values": [{"value": v, "available": a} for v, a in values.items()]})
    data = {
        "names": list(product.option_names),
        "skus": [{"id": s.id, "options": {k: str(v) for k, v in s.options.items()}, "price": str(s.price),
                  "stock": s.stock} for s in skus],
    }
    return {"options": options, "data": data}


@require_GET
def product(request: HttpRequest, pk: int) -> HttpResponse:
    if pk > MAX_ID:  # SQLite cannot even compare a larger integer
        raise Http404(_("商品不存在"))
    item = (
        Product.objects.select_related("brand", "store", "category")
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")))
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404(_("商品不存在"))
    visible = item.published and item.store.is_active
    if not visible and not (
        can_manage_brand(request.user, item.brand_id) or can_manage_brand(request.user, item.store.brand_id)
    ):
        # Strangers learn nothing about an unpublished product, not even that it exists.
        raise Http404(_("商品不存在"))
    skus = list(item.skus.filter(is_active=True))
    more = (
        Product.objects.published().for_cards().filter(store_id=item.store_id).exclude(pk=item.pk)[:STORE_MORE]
    )
    context = {
        "product": item,
        "images": list(item.images.all()),
        "skus": skus,
        "picker": _sku_picker(item, skus),
        "bundles": Bundle.objects.filter(published=True, items__product=item).distinct(),
        "more": more,
        "preview": not visible,
        "friends_bought": friends_bought(request.user, item) if visible else None,
        "reviews": review_section(request.user, item) if visible else None,
        "discussions": product_posts(request.user, item) if visible else None,
    }
    if visible:
        record_event("product_view", request, obj=item, brand_id=item.brand_id)
        note_share_open(request, "product", item)
    return render(request, "web/product.html", context)


def _page_number(request: HttpRequest) -> int | None:
    raw = request.GET.get("page", "1") or "1"
    try:
        page = int(raw)
    except ValueError:
        return None
    return page if 1 <= page <= MAX_PAGE else None


@require_GET
def bundles(request: HttpRequest) -> HttpResponse:
    page_number = _page_number(request)
    if page_number is None:
        return bad_request(request, _("页码：请填写 1 到 %(max)s 之间的整数") % {"max": MAX_PAGE})
    qs = Bundle.objects.filter(published=True).annotate(item_count=Count("items")).order_by("id")
    paginator = Paginator(qs, BUNDLES_PER_PAGE)
    try:
        page = paginator.page(page_number)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return render(request, "web/bundles.html", {"page": page, "bundles": page.object_list})


@require_GET
def bundle(request: HttpRequest, slug: str) -> HttpResponse:
    scenario = get_object_or_404(Bundle, slug=slug, published=True)
    items = list(scenario.items.select_related("sku"))
    products = Product.objects.published().for_cards().in_bulk([i.product_id for i in items])
    rows, total = [], Decimal("0.00")
    for entry in items:
        card = products.get(entry.product_id)
        if card is None:
            continue  # unpublished since the bundle was made: not offered
        sku = entry.sku if entry.sku is not None and entry.sku.is_active else None
        unit = sku.price if sku is not None else card.min_price
        line = quantize(unit * entry.quantity)
        total += line
        rows.append({"item": entry, "product": card, "sku": sku, "unit": unit, "line": line})
    record_event("bundle_view", request, obj=scenario)
    note_share_open(request, "bundle", scenario)
    return render(request, "web/bundle.html", {
        "bundle": scenario, "rows": rows, "total": total, "missing": len(items) - len(rows),
    })
