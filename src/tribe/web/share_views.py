"""Share cards and QR codes: /share/<kind>/<key>/ and /share/<kind>/<key>/qr.png. Thin: resolve the object
through the sharing registry, build the link (with the signed-in user's share code), render."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tribe.sharing.registry import card_for, resolve
from tribe.sharing.services import clean_channel, qr_png, record_share, share_link

QR_MAX_AGE = 24 * 3600


def _object_or_404(kind: str, key: str):
    obj = resolve(kind, key)
    if obj is None:
        raise Http404(_("要分享的内容不存在"))
    return obj


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _link(request: HttpRequest, kind: str, obj, channel: str) -> str:
    sharer = request.user if request.user.is_authenticated else None
    return share_link(kind, obj, sharer, channel, base_url=_base_url(request))


@require_GET
def share_card(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    obj = _object_or_404(kind, key)
    channel = clean_channel(request.GET.get("ch", "")) or "link"
    card = card_for(kind, obj)
    record_share(request, kind, obj, channel)
    response = render(request, "web/share.html", {
        "kind": kind,
        "key": key,
        "obj": obj,
        "card": card,
        "image_url": request.build_absolute_uri(card.image_url) if card.image_url else "",
        "link": _link(request, kind, obj, channel),
        "signed_in": request.user.is_authenticated,
    })
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
def share_qr(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    obj = _object_or_404(kind, key)
    channel = clean_channel(request.GET.get("ch", "")) or "qr"
    response = HttpResponse(qr_png(_link(request, kind, obj, channel)), content_type="image/png")
    # The image carries the signed-in user's share code: only their own browser may cache it.
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=QR_MAX_AGE)
    else:
        patch_cache_control(response, public=True, max_age=QR_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])
    return response
