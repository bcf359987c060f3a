"""Reach pages: one-click digest unsubscribe, the brand station's PWA manifest, icons and service worker, and the
console page for pushes."""

from __future__ import annotations

import io
import json

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from tribe.brands.models import Brand
from tribe.core.errors import DomainError
from tribe.reach import services
from tribe.reach.models import PushSubscription

from .console.base import brand_view, render_console, show_error
from .console_forms import ConsoleForm

ICON_SIZES = (192, 512)


@csrf_exempt  # the signed token is the credential; mail clients POST "List-Unsubscribe=One-Click" (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.user_for_token(token[:500])
    except DomainError:
        raise Http404(_("退订链接无效")) from None
    if request.method == "POST":
        services.unsubscribe(token, request)
        return render(request, "web/reach/unsubscribed.html", {"target": user})
    return render(request, "web/reach/unsubscribe.html", {"target": user, "token": token})


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request: HttpRequest, slug: str) -> HttpResponse:
    brand = get_object_or_404(Brand, slug=slug, is_active=True)
    data = {
        "name": f"{brand.name} · 部落 Tribe",
        "short_name": brand.name[:12],
        "description": (brand.tagline if hasattr(brand, "tagline") else "") or brand.name,
        "lang": "zh-CN",
        "start_url": reverse("web:brand", args=[brand.slug]) + "?utm_source=pwa",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#e4393c",
        "icons": [{"src": reverse("web:station_icon", args=[brand.slug, size]), "sizes": f"{size}x{size}",
                   "type": "image/png", "purpose": "any maskable"} for size in ICON_SIZES],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")


@require_GET
@cache_control(max_age=86400, public=True)
def station_icon(request: HttpRequest, slug: str, size: int) -> HttpResponse:
    """A square PNG icon for the home screen: the brand's logo on white, or its first character on red."""
    from PIL import Image, ImageDraw, ImageFont

    if size not in ICON_SIZES:
        raise Http404
    brand = get_object_or_404(Brand, slug=slug, is_active=True)
    canvas = Image.new("RGB", (size, size), "#e4393c")
    logo = getattr(brand, "logo", None)
    drawn = False
    if logo:
        try:
            with logo.open("rb") as fh, Image.open(fh) as img:
                img = img.convert("RGBA")
                img.thumbnail((int(size * 0.8), int(size * 0.8)))
                canvas = Image.new("RGB", (size, size), "#ffffff")
                canvas.paste(img, ((size - img.width) // 2, (size - img.height) // 2), img)
                drawn = True
        except (OSError, ValueError):
            drawn = False
    if not drawn:
        draw = ImageDraw.Draw(canvas)
        font = ImageFont.load_default(size=int(size * 0.5))
        letter = (brand.name or "T")[0]
        box = draw.textbbox((0, 0), letter, font=font)
        draw.text(((size - (box[2] - box[0])) / 2 - box[0], (size - (box[3] - box[1])) / 2 - box[1]), letter,
                  fill="#ffffff", font=font)
    out = io.BytesIO()
    canvas.save(out, "PNG")
    return HttpResponse(out.getvalue(), content_type="image/png")


SERVICE_WORKER = """// Tribe service worker: shows Web Push notifications from brand stations; clicking opens the page.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('push', (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {title: 'Tribe', body: event.data.text()}; }
  event.waitUntil(self.registration.showNotification(data.title || '部落 Tribe', {
    body: data.body || '', tag: data.tag, data: {url: data.url || '/'}, icon: data.icon
  }));
});
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/';
  event.waitUntil(self.clients.openWindow(url + (url.includes('?') ? '&' : '?') + 'utm_source=push'));
});
"""


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(SERVICE_WORKER, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


class PushForm(ConsoleForm):
    title = forms.CharField(max_length=60)
    body = forms.CharField(max_length=200, widget=forms.Textarea(attrs={"rows": 3}))
    url = forms.CharField(max_length=300, required=False)


@brand_view
@require_http_methods(["GET", "POST"])
def console(request: HttpRequest, brand) -> HttpResponse:
    form = PushForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.create_push(request.user, brand, request=request, **form.cleaned_data)
            except DomainError as error:
                show_error(form, error)
                status = error.status
            else:
                messages.success(request, _("推送已提交，将发送给已订阅且同意接收推广的用户"))
                return redirect("console:reach", brand.slug)
        else:
            status = 422
    subs = PushSubscription.objects.filter(brand=brand)
    context = {
        "form": form,
        "subscribers": subs.values("user_id").distinct().count(),
        "consenting": subs.filter(user__allow_promotions=True).values("user_id").distinct().count(),
        "digest_readers": brand.followers.filter(follower__allow_email_digest=True).exclude(
            follower__email="").aggregate(n=Count("follower_id", distinct=True))["n"],
        "pushes": services.push_stats(brand),
        "vapid_ready": bool(services.public_key()),
        "cap": services.push_cap(),
    }
    return render_console(request, "console/reach/index.html", brand, context, status=status)
