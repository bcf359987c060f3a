"""Digest emails and Web Push, only with consent.

Digest (按期发邮件): every `TRIBE_DIGEST_DAYS` (default 7) a user who turned on `allow_email_digest` and has an
email address gets one mail listing the new products and the running campaigns of the brands they follow since
their last digest. Nothing new → no mail (a DigestLog row with sent=False remembers the period). Each mail has a
one-click unsubscribe link (RFC 8058 `List-Unsubscribe` + `List-Unsubscribe-Post`) signed for that user.

Web Push: a brand station is installable (manifest + service worker); a signed-in visitor who allows merchant
promotions may subscribe to the station's pushes. A brand's push goes only to its subscribers who still allow
promotions and still follow or subscribe, at most FEED_PROMO_PER_DAY pushes per user per day (the feed's cap),
through pywebpush with the VAPID keys made by `tribe vapid-keys`.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tribe.brands.selectors import require_brand_staff
from tribe.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tribe.core.events import record_event
from tribe.core.text import clean_text
from tribe.sharing.services import absolute

from .models import DigestLog, PushDelivery, PushMessage, PushSubscription

log = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "tribe.reach.unsubscribe"


def digest_days() -> int:
    return int(getattr(settings, "TRIBE_DIGEST_DAYS", 7))


def push_cap() -> int:
    return int(getattr(settings, "FEED_PROMO_PER_DAY", 3))


# --- digest ---------------------------------------------------------------------------------------------------

def unsubscribe_token(user) -> str:
    return signing.dumps({"u": user.pk, "k": "digest"}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_for_token(token: str):
    from django.contrib.auth import get_user_model

    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise NotFound("this unsubscribe link is not valid", code="bad_unsubscribe_link") from None
    user = get_user_model().objects.filter(pk=data.get("u")).first()
    if user is None or data.get("k") != "digest":
        raise NotFound("this unsubscribe link is not valid", code="bad_unsubscribe_link")
    return user


def unsubscribe(token: str, request=None):
    """One click: the digest is off for the token's user (idempotent)."""
    user = user_for_token(token)
    if user.allow_email_digest:
        type(user).objects.filter(pk=user.pk).update(allow_email_digest=False)
        record_event("digest_unsubscribe", request, actor=user)
    user.allow_email_digest = False
    return user


def digest_content(user, since, until) -> dict:
    """New published products and running campaigns of the brands `user` follows, in (since, until]."""
    from tribe.campaigns.selectors import live_plays
    from tribe.catalog.models import Product
    from tribe.social.models import Follow

    brand_ids = list(Follow.objects.filter(follower=user, brand__isnull=False).values_list("brand_id", flat=True))
    if not brand_ids:
        return {"products": [], "campaigns": [], "brands": 0}
    products = list(Product.objects.published().filter(brand_id__in=brand_ids, created_at__gt=since,
                                                      created_at__lte=until)
                    .select_related("brand").order_by("-created_at")[:12])
    campaigns = [row for row in live_plays() if row["play"].brand_id in set(brand_ids)][:8]
    return {"products": products, "campaigns": campaigns, "brands": len(brand_ids)}


def send_digest(user, *, now=None, base_url: str = "") -> DigestLog | None:
    """Send `user` their digest for the period since the last one, if they opted in and it is due."""
    now = now or timezone.now()
    if not (user.allow_email_digest and user.email and user.is_active):
        return None
    last = DigestLog.objects.filter(user=user).aggregate(m=Max("period_end"))["m"]
    since = last or (now - timedelta(days=digest_days()))
    if last is not None and now - last < timedelta(days=digest_days()):
        return None
    content = digest_content(user, since, now)
    try:
        with transaction.atomic():
            entry = DigestLog.objects.create(user=user, period_start=since, period_end=now,
                                             products=len(content["products"]),
                                             campaigns=len(content["campaigns"]),
                                             sent=bool(content["products"] or content["campaigns"]))
    except IntegrityError:
        return None  # a concurrent run took this period
    if not entry.sent:
        return entry
    link = absolute(reverse("web:unsubscribe", args=[unsubscribe_token(user)]), base_url)
    context = {"user": user, "unsubscribe_url": link, "base_url": base_url or getattr(settings, "TRIBE_SITE_URL", ""),
               **content}
    subject = _("部落 Tribe 每周精选：你关注的品牌有 %(n)s 件新品") % {"n": len(content["products"])}
    mail = EmailMultiAlternatives(subject, render_to_string("web/reach/digest.txt", context),
                                  to=[user.email],
                                  headers={"List-Unsubscribe": f"<{link}>",
                                           "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    mail.attach_alternative(render_to_string("web/reach/digest.html", context), "text/html")
    _deliver(mail, entry.pk)  # the log row is committed: a crash now can only skip a mail, never send two
    record_event("digest_sent", None, actor=user, props={"products": entry.products, "campaigns": entry.campaigns})
    return entry


def _deliver(mail, log_id: int) -> None:
    try:
        mail.send()
    except Exception:  # noqa: BLE001 - a mail server failure must not break the sweep; the log says it
        log.exception("digest %s could not be sent", log_id)
        DigestLog.objects.filter(pk=log_id).update(sent=False)


def send_due_digests(now=None, *, base_url: str = "") -> dict:
    """The periodic job: every opted-in user whose digest is due."""
    from django.contrib.auth import get_user_model

    now = now or timezone.now()
    done = {"sent": 0, "empty": 0}
    users = get_user_model().objects.filter(allow_email_digest=True, is_active=True).exclude(email="")
    for user in users.iterator(chunk_size=500):
        entry = send_digest(user, now=now, base_url=base_url)
        if entry is not None:
            done["sent" if entry.sent else "empty"] += 1
    return done


# --- VAPID keys and push -------------------------------------------------------------------------------------

def vapid_key_path() -> Path:
    return Path(getattr(settings, "TRIBE_VAPID_KEY_FILE", "") or (settings.DATA_DIR / "vapid_private.pem"))


def generate_vapid_keys(path: Path | None = None, *, force: bool = False) -> tuple[Path, str]:
    """Write a new P-256 private key (PEM) and return (path, the public key for browsers, base64url)."""
    from py_vapid import Vapid01

    path = Path(path or vapid_key_path())
    if path.exists() and not force:
        raise Conflict(f"{path} exists; pass --force to replace it (existing subscriptions stop working)",
                       code="vapid_exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    vapid = Vapid01()
    vapid.generate_keys()
    vapid.save_key(str(path))
    path.chmod(0o600)
    return path, public_key(path)


_KEY_CACHE: dict[tuple[str, float], str] = {}


def public_key(path: Path | None = None) -> str:
    """The application server key browsers need (uncompressed point, base64url), or "" when not configured."""
    path = Path(path or vapid_key_path())
    try:
        stamp = (str(path), path.stat().st_mtime)
    except OSError:
        return ""
    if stamp not in _KEY_CACHE:
        _KEY_CACHE.clear()
        _KEY_CACHE[stamp] = _read_public_key(path)
    return _KEY_CACHE[stamp]


def _read_public_key(path: Path) -> str:
    import base64

    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid01

    vapid = Vapid01.from_file(str(path))
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def subscribe(user, brand, data: dict, request=None) -> PushSubscription:
    """Store a browser's push subscription for a brand station. Requires consent to merchant promotions."""
    if not user.is_authenticated:
        raise PermissionDenied("sign in to subscribe", code="not_authenticated")
    if not user.allow_promotions:
        raise PermissionDenied("turn on 接收商家推广 in your settings first", code="promotions_off")
    if not isinstance(data, dict):
        raise ValidationFailed("subscription: an object", fields={"subscription": "required"})
    endpoint = data.get("endpoint")
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    if not isinstance(endpoint, str) or not endpoint.startswith("https://") or len(endpoint) > 500:
        raise ValidationFailed("endpoint: an https URL", fields={"endpoint": "invalid"})
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not (isinstance(p256dh, str) and 20 <= len(p256dh) <= 200 and isinstance(auth, str) and 8 <= len(auth) <= 100):
        raise ValidationFailed("keys: p256dh and auth from PushSubscription.toJSON()", fields={"keys": "invalid"})
    sub, created = PushSubscription.objects.update_or_create(
        brand=brand, endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth})
    if created:
        record_event("push_subscribe", request, actor=user, obj=brand, brand_id=brand.pk)
    return sub


def unsubscribe_push(user, brand, endpoint: str) -> int:
    deleted, _ = PushSubscription.objects.filter(user=user, brand=brand, endpoint=endpoint).delete()
    return deleted


def create_push(actor, brand, *, title, body, url="", request=None) -> PushMessage:
    """A brand's push to its station's subscribers; deliveries are planned now (caps applied) and sent by a task."""
    require_brand_staff(actor, brand.pk)
    title = clean_text(title, "title", max_length=60, required=True)
    body = clean_text(body, "body", max_length=200, required=True)
    url = clean_text(url, "url", max_length=300)
    if url and not url.startswith("/"):
        raise ValidationFailed("url: a path on this site, e.g. /b/brand/", fields={"url": "must start with /"})
    today = timezone.localdate()
    with transaction.atomic():
        message = PushMessage.objects.create(brand=brand, title=title, body=body, url=url, created_by=actor)
        subs = list(PushSubscription.objects.filter(brand=brand, user__allow_promotions=True, user__is_active=True)
                    .order_by("user_id", "pk"))
        used = dict(PushDelivery.objects.filter(user_id__in={s.user_id for s in subs}, day=today,
                                                state__in=[PushDelivery.State.SENT, PushDelivery.State.PENDING])
                    .values("user_id").annotate(n=Count("message_id", distinct=True)).values_list("user_id", "n"))
        rows = []
        for sub in subs:
            capped = used.get(sub.user_id, 0) >= push_cap()
            rows.append(PushDelivery(message=message, user_id=sub.user_id, subscription=sub, day=today,
                                     state=PushDelivery.State.CAPPED if capped else PushDelivery.State.PENDING))
        PushDelivery.objects.bulk_create(rows)
        record_event("push_sent", request, actor=actor, obj=message, brand_id=brand.pk,
                     props={"recipients": sum(1 for r in rows if r.state == PushDelivery.State.PENDING),
                            "capped": sum(1 for r in rows if r.state == PushDelivery.State.CAPPED)})
        transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id: int) -> None:
    from .tasks import deliver_push

    deliver_push.enqueue(message_id)


def _webpush(subscription_info: dict, data: str) -> None:
    """The one call to the push service (replaced in tests)."""
    from pywebpush import webpush

    webpush(subscription_info=subscription_info, data=data, vapid_private_key=str(vapid_key_path()),
            vapid_claims={"sub": getattr(settings, "TRIBE_VAPID_SUBJECT", "mailto:ops@tribe.invalid")}, ttl=86400)


def deliver(message_id: int) -> dict:
    """Send a message's pending deliveries. 404/410 from the push service → the subscription is deleted."""
    message = PushMessage.objects.select_related("brand").filter(pk=message_id).first()
    if message is None:
        return {}
    if not vapid_key_path().exists():
        PushDelivery.objects.filter(message=message, state=PushDelivery.State.PENDING).update(
            state=PushDelivery.State.FAILED, error="no VAPID key: run `tribe vapid-keys`")
        return {"failed": "no vapid key"}
    payload = json.dumps({"title": message.title, "body": message.body,
                          "url": message.url or reverse("web:brand", args=[message.brand.slug]),
                          "tag": f"push-{message.pk}"}, ensure_ascii=False)
    outcome = {"sent": 0, "failed": 0, "gone": 0}
    for d in PushDelivery.objects.filter(message=message, state=PushDelivery.State.PENDING).select_related(
            "subscription"):
        sub = d.subscription
        if sub is None:
            PushDelivery.objects.filter(pk=d.pk).update(state=PushDelivery.State.GONE)
            outcome["gone"] += 1
            continue
        try:
            _webpush({"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}, payload)
        except Exception as exc:  # noqa: BLE001 - pywebpush raises WebPushException and transport errors
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if status in (404, 410):
                PushSubscription.objects.filter(pk=sub.pk).delete()
                PushDelivery.objects.filter(pk=d.pk).update(state=PushDelivery.State.GONE, error=str(status))
                outcome["gone"] += 1
            else:
                PushDelivery.objects.filter(pk=d.pk).update(state=PushDelivery.State.FAILED, error=str(exc)[:200])
                outcome["failed"] += 1
            continue
        PushDelivery.objects.filter(pk=d.pk).update(state=PushDelivery.State.SENT)
        outcome["sent"] += 1
    return outcome


def push_stats(brand) -> list[dict]:
    """The brand's recent pushes with delivery counts by state (computed)."""
    messages = list(PushMessage.objects.filter(brand=brand)[:20])
    counts: dict[int, dict] = {}
    for row in (PushDelivery.objects.filter(message__in=messages).values("message_id", "state")
                .annotate(n=Count("pk"))):
        counts.setdefault(row["message_id"], {})[row["state"]] = row["n"]
    return [{"message": m, "counts": counts.get(m.pk, {})} for m in messages]
