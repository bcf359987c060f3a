"""Share links, QR codes, and the share / share_open events."""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from tribe.core.events import record_event
from tribe.core.sharing import encode_sharer

from .registry import card_for

CHANNEL_RE = re.compile(r"^[A-Za-z0-9_.-]{1,30}$")
SESSION_KEY = "tribe_share_opens"
MAX_REMEMBERED = 50
OPEN_HOOKS: list = []  # callables (request, kind, obj, touch) run on a recorded share open, e.g. click tracking


def clean_channel(channel: str | None) -> str:
    """A channel name is a short token (wechat, moments, qr, link…); anything else is dropped."""
    channel = (channel or "").strip()
    return channel if CHANNEL_RE.match(channel) else ""


def absolute(url: str, base_url: str = "") -> str:
    """`url` made absolute against `base_url` (e.g. "https://tribe.example"), or TRIBE_SITE_URL if set."""
    if not url or url.startswith(("http://", "https://")):
        return url
    base = (base_url or getattr(settings, "TRIBE_SITE_URL", "") or "http://localhost").rstrip("/")
    return base + url


def share_link(kind: str, obj: Any, sharer=None, channel: str = "", *, base_url: str = "") -> str:
    """The absolute URL of the object's page; with a sharer, `?share=<signed code>&ch=<channel>`.

    Without a (signed-in) sharer the link is plain: nobody is credited.
    """
    url = absolute(card_for(kind, obj).url, base_url)
    sharer_id = getattr(sharer, "pk", sharer) if sharer is not None else None
    if sharer_id is None or (hasattr(sharer, "is_authenticated") and not sharer.is_authenticated):
        return url
    params = {"share": encode_sharer(sharer_id)}
    channel = clean_channel(channel)
    if channel:
        params["ch"] = channel
    return f"{url}?{urlencode(params)}"


def qr_png(url: str, *, box_size: int = 8, border: int = 2) -> bytes:
    """A PNG of a QR code for `url` (medium error correction, scannable by WeChat)."""
    import qrcode
    from qrcode.image.pil import PilImage

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image(image_factory=PilImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def record_share(request, kind: str, obj: Any, channel: str = "") -> None:
    """A signed-in user opened the share card of an object: they are about to share it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    record_event("share", request, obj=obj, brand_id=_brand_id(kind, obj),
                 props={"kind": kind, "channel": clean_channel(channel)})


def note_share_open(request, kind: str, obj: Any) -> bool:
    """Record `share_open` when this request arrived through a valid share link, once per visit per object.

    A tampered or malformed code is not a share touch (tribe.core.sources ignores it), so it records nothing.
    Costs no query unless the request really is a share open. Returns whether an event was recorded.
    """
    touch = getattr(request, "tribe_touch", None)
    if touch is None or touch.source != "share" or touch.sharer_id is None:
        return False
    session = getattr(request, "session", None)
    visit = getattr(request, "tribe_visit", None) or {}
    marker = f"{kind}:{obj.pk}"
    if session is not None:
        seen = session.get(SESSION_KEY) or {}
        if seen.get("visit") != visit.get("started"):
            seen = {"visit": visit.get("started"), "objects": []}
        if marker in seen["objects"]:
            return False
        seen["objects"] = (seen["objects"] + [marker])[-MAX_REMEMBERED:]
        session[SESSION_KEY] = seen
    record_event("share_open", request, obj=obj, brand_id=_brand_id(kind, obj),
                 props={"kind": kind, "sharer_id": touch.sharer_id, "channel": touch.channel})
    for hook in OPEN_HOOKS:
        hook(request, kind, obj, touch)
    return True


def _brand_id(kind: str, obj: Any) -> int | None:
    if kind == "station":
        return obj.pk
    return getattr(obj, "brand_id", None)
