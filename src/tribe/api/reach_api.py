"""Reach, with consent: Web Push subscriptions to brand stations, brand pushes, and the digest switch."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from ninja import Router, Schema, Status

from tribe.brands.models import Brand
from tribe.brands.selectors import require_brand_staff
from tribe.reach import services

from .auth import REQUIRED
from .common import by_slug
from .schemas import In

router = Router(tags=["reach"])


class KeysIn(In):
    p256dh: str
    auth: str


class SubscriptionIn(In):
    endpoint: str
    keys: KeysIn
    expirationTime: int | None = None  # noqa: N815 - the browser's PushSubscription.toJSON() field name


class EndpointIn(In):
    endpoint: str


class SubscriptionOut(Schema):
    id: int
    brand: str
    created_at: datetime


class PublicKeyOut(Schema):
    public_key: str
    configured: bool


class PushIn(In):
    title: str
    body: str
    url: str = ""


class PushOut(Schema):
    id: int
    title: str
    body: str
    url: str
    created_at: datetime
    counts: dict[str, int]


@router.get("/push/public-key", response=PublicKeyOut, summary="The VAPID public key browsers subscribe with")
def push_public_key(request):
    key = services.public_key()
    return {"public_key": key, "configured": bool(key)}


@router.post("/brands/{slug}/push-subscriptions", response={201: SubscriptionOut}, auth=REQUIRED,
             summary="Subscribe this browser to a brand station's pushes")
def subscribe(request, slug: str, payload: SubscriptionIn):
    """Needs 接收商家推广 (`allow_promotions`) on: 403 `promotions_off` otherwise. The body is the browser's
    `PushSubscription.toJSON()`."""
    brand = by_slug(Brand.objects.filter(is_active=True), slug, "brand")
    sub = services.subscribe(request.user, brand, payload.model_dump(), request=request)
    return Status(201, {"id": sub.pk, "brand": brand.slug, "created_at": sub.created_at})


@router.delete("/brands/{slug}/push-subscriptions", response={204: None}, auth=REQUIRED,
               summary="Unsubscribe this browser from a brand station's pushes")
def unsubscribe(request, slug: str, payload: EndpointIn):
    brand = by_slug(Brand.objects.all(), slug, "brand")
    services.unsubscribe_push(request.user, brand, payload.endpoint)
    return HttpResponse(status=204)


def _push(row) -> dict:
    m = row["message"]
    return {"id": m.pk, "title": m.title, "body": m.body, "url": m.url, "created_at": m.created_at,
            "counts": row["counts"]}


@router.get("/console/brands/{slug}/pushes", response=list[PushOut], auth=REQUIRED, tags=["console"],
            summary="The brand's recent pushes with delivery counts")
def pushes(request, slug: str):
    brand = by_slug(Brand.objects.all(), slug, "brand")
    require_brand_staff(request.user, brand.pk)
    return [_push(row) for row in services.push_stats(brand)]


@router.post("/console/brands/{slug}/pushes", response={201: PushOut}, auth=REQUIRED, tags=["console"],
             summary="Send a push to the station's consenting subscribers (daily cap per user)")
def send_push(request, slug: str, payload: PushIn):
    brand = by_slug(Brand.objects.all(), slug, "brand")
    message = services.create_push(request.user, brand, title=payload.title, body=payload.body, url=payload.url,
                                   request=request)
    return Status(201, _push({"message": message, "counts": {}}))
