"""Brand stations (品牌站): storytelling (tagline, story, images, videos, news) plus selling, by kind.

- hub (站店分离): navigate by sub-brand across the stores that sell them; `?brand=<sub-slug>` narrows to one.
- flagship (站店合一): the station is the store; its products with a category filter.
- content: the products placed in it, each linked to the store that sells it.
"""

from __future__ import annotations

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tribe.brands.models import Brand
from tribe.brands.selectors import station_stores
from tribe.catalog.models import Category, Placement, Product
from tribe.core.events import record_event
from tribe.search.services import search_products
from tribe.sharing.services import note_share_open

from .forms import ListingFilterForm
from .listing import bad_request, indent_tree, is_htmx_partial, listing_context

NEWS_SHOWN = 5
PER_SUB_BRAND = 4
PLACEMENTS_SHOWN = 100


@require_GET
def station(request: HttpRequest, slug: str) -> HttpResponse:
    brand = get_object_or_404(Brand.objects.select_related("parent"), slug=slug, is_active=True)
    context = {
        "brand": brand,
        "media_images": [],
        "media_videos": [],
        "news": list(brand.news.all()[:NEWS_SHOWN]),
        "filter_url": request.path,
        "src": "station",
    }
    for media in brand.media.all():
        if media.kind == media.Kind.VIDEO:
            context["media_videos"].append(media)
        elif media.image:
            context["media_images"].append(media)
    if brand.kind == Brand.Kind.HUB:
        failure = _hub(request, brand, context)
    elif brand.kind == Brand.Kind.CONTENT:
        failure = _content(brand, context)
    else:
        failure = _flagship(request, brand, context)
    if failure is not None:
        return failure
    if is_htmx_partial(request) and "result" in context:
        return render(request, "web/_results.html", context)
    record_event("station_visit", request, obj=brand, brand_id=brand.id)
    note_share_open(request, "station", brand)
    response = render(request, f"web/station_{brand.kind}.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _hub(request: HttpRequest, brand: Brand, context: dict) -> HttpResponse | None:
    children = list(brand.children.filter(is_active=True).order_by("id"))
    stores = list(station_stores(brand))
    ids = [brand.id, *[c.id for c in children]]
    # Which stores carry each brand (a sub-brand may also sell through stores outside the group).
    carriers: dict[int, list[dict]] = {}
    rows = (
        Product.objects.published().filter(brand_id__in=ids)
        .values_list("brand_id", "store_id", "store__name", "store__slug").order_by("store_id").distinct()
    )
    for brand_id, _store_id, name, store_slug in rows:
        carriers.setdefault(brand_id, []).append({"name": name, "slug": store_slug})
    context.update({"sub_brands": children, "stores": stores, "selected": None})

    wanted = request.GET.get("brand", "")
    if wanted:
        selected = next((c for c in children if c.slug == wanted), None)
        if selected is None:
            message = _("品牌：%(brand)s 旗下没有“%(slug)s”") % {"brand": brand.name, "slug": wanted}
            return bad_request(request, message)
        query = request.GET.copy()
        query.pop("brand", None)  # the sub-brand was matched above, among this hub's children only
        form = ListingFilterForm(query)
        if not form.is_valid():
            return bad_request(request, form.error_text())
        params = form.params()
        params.brand_ids = [selected.id]
        context.update(listing_context(request, search_products(params), src="station"))
        context.update({"selected": selected, "selected_carriers": carriers.get(selected.id, [])})
        return None

    # Overview: the newest few products of each brand, in one query whatever the number of sub-brands.
    ranked = (
        Product.objects.published().for_cards().filter(brand_id__in=ids)
        .annotate(rank=Window(RowNumber(), partition_by=[F("brand_id")], order_by=[F("created_at").desc(),
                                                                                  F("id").desc()]))
        .filter(rank__lte=PER_SUB_BRAND)
    )
    by_brand: dict[int, list[Product]] = {}
    for item in ranked:
        by_brand.setdefault(item.brand_id, []).append(item)
    sections = [{"brand": b, "products": by_brand.get(b.id, []), "carriers": carriers.get(b.id, [])}
                for b in [brand, *children]]
    context["sections"] = [s for s in sections if s["products"] or s["brand"] is not brand]
    return None


def _flagship(request: HttpRequest, brand: Brand, context: dict) -> HttpResponse | None:
    form = ListingFilterForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form.error_text())
    ids = [brand.id, *brand.children.values_list("id", flat=True)]
    params = form.params()
    params.brand_ids = ids
    context.update(listing_context(request, search_products(params), src="station"))
    own = Product.objects.published().filter(brand_id__in=ids)
    context.update({
        "stores": list(station_stores(brand)),
        "categories": indent_tree(
            list(Category.objects.filter(id__in=own.values("category_id")).order_by("path"))
        ),
        "filters": form.cleaned_data,
    })
    return None


def _content(brand: Brand, context: dict) -> HttpResponse | None:
    placements = list(
        Placement.objects.filter(station=brand).values_list("product_id", "note")[:PLACEMENTS_SHOWN]
    )
    products = Product.objects.published().for_cards().in_bulk([pid for pid, _note in placements])
    context["placements"] = [
        {"product": products[pid], "note": note} for pid, note in placements if pid in products
    ]
    return None
