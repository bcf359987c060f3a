"""附近的人都买了什么 (/nearby/): anonymous aggregates of consenting buyers in the viewer's city."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tribe.social.proof import NEARBY_DAYS, NEARBY_MIN_BUYERS, nearby_products


@require_GET
@login_required
def nearby(request: HttpRequest) -> HttpResponse:
    city = request.user.city.strip()
    return render(request, "web/nearby.html", {
        "city": city, "products": nearby_products(request.user), "days": NEARBY_DAYS,
        "min_buyers": NEARBY_MIN_BUYERS,
    })
