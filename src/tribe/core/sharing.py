"""Share codes: the sharer's id plus a short HMAC, so a share link cannot be edited to credit someone else."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def _mac(payload: str) -> str:
    key = (settings.SECRET_KEY + ":share").encode()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()[:10]


def encode_sharer(user_id: int) -> str:
    payload = format(int(user_id), "x")
    return f"{payload}-{_mac(payload)}"


def decode_sharer(code: str) -> int | None:
    """The sharer's id, or None for a malformed or tampered code."""
    payload, _, mac = code.strip().partition("-")
    if not payload or len(payload) > 16 or not hmac.compare_digest(mac, _mac(payload)):
        return None
    try:
        return int(payload, 16)
    except ValueError:
        return None
