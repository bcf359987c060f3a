"""营销活动: the public page of live campaigns across every play, and the brand console's index of plays."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tribe.campaigns import selectors

from .console.base import brand_view, render_console


@require_GET
def campaigns(request: HttpRequest) -> HttpResponse:
    # coupons have their own page (领券中心); listing every template here would drown the plays
    return render(request, "web/campaigns/index.html", {"rows": selectors.live_plays(exclude=("coupons",))})


@require_GET
def product_campaigns(request: HttpRequest, product_id: int) -> HttpResponse:
    """The product page's lazy section: the plays selling this product and the coupons that cover it."""
    from django.http import Http404

    from tribe.catalog.models import Product

    product = Product.objects.published().select_related("store", "brand", "category").filter(
        pk=min(product_id, 2**63 - 1)).first()
    if product is None:
        raise Http404
    return render(request, "web/campaigns/_product.html",
                  {"product": product, "rows": selectors.plays_for_product(product)})


@brand_view
@require_GET
def console_index(request: HttpRequest, brand) -> HttpResponse:
    return render_console(request, "console/campaigns/index.html", brand,
                          {"rows": selectors.brand_overview(brand)})
