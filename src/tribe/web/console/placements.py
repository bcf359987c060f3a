"""Content stations: place products sold elsewhere (with where they appear), or take them off."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tribe.brands.models import Brand
from tribe.catalog import services
from tribe.catalog.models import Placement, Product
from tribe.core.errors import DomainError
from tribe.web.console_forms import PlacementForm

from .base import brand_view, forbidden, render_console, submit

RESULTS = 20


def _page(request, brand: Brand, *, form=None, status: int = 200):
    q = request.GET.get("q", "").strip()[:60]
    placements = Placement.objects.filter(station=brand).select_related("product__store", "product__brand")
    results = []
    if q:
        results = (
            Product.objects.published()
            .filter(name__icontains=q)
            .exclude(placements__station=brand)
            .select_related("store", "brand")
            .order_by("-created_at", "-id")[:RESULTS]
        )
    context = {
        "placements": placements,
        "q": q,
        "results": results,
        "form": form or PlacementForm(),
        "is_content": brand.kind == Brand.Kind.CONTENT,
    }
    return render_console(request, "console/placements.html", brand, context, status=status)


@brand_view
def placement_list(request, brand: Brand):
    if request.method != "POST":
        return _page(request, brand)
    form = PlacementForm(request.POST)
    return submit(
        request,
        form,
        lambda d: services.place_product(request.user, brand, d["product"], note=d["note"]),
        success_url=reverse("console:placements", args=[brand.slug]),
        message=_("商品已植入"),
        failure=lambda status: _page(request, brand, form=form, status=status),
    )


@brand_view
@require_POST
def placement_delete(request, brand: Brand, placement_id: int):
    placement = get_object_or_404(Placement, pk=placement_id, station=brand)
    try:
        services.remove_placement(request.user, placement)
    except DomainError as error:
        return forbidden(request, error.message)
    messages.success(request, _("已移除植入"))
    return redirect("console:placements", brand.slug)
