"""营销活动: the public page of live campaigns across every play, and the brand console's index of plays."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tribe.campaigns import selectors

from .console.base import brand_view, render_console


@require_GET
def campaigns(request: HttpRequest) -> HttpResponse:
    return render(request, "web/campaigns/index.html", {"rows": selectors.live_plays()})


@brand_view
@require_GET
def console_index(request: HttpRequest, brand) -> HttpResponse:
    return render_console(request, "console/campaigns/index.html", brand,
                          {"rows": selectors.brand_overview(brand)})
