"""Where a request came from: direct, search, share link, campaign/utm, external referrer, or in-site.

A *visit* is a run of requests with at most VISIT_GAP of inactivity. Its first touch (the source that
started it) is kept in the session and stamped on every event of the visit, so a later order can be
credited to the share link, campaign or site that brought the visitor in.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field
from urllib.parse import urlparse

VISIT_GAP = 30 * 60
SESSION_KEY = "tribe_visit"
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
# Only these in-site sources may be named by the `src` parameter of an internal link.
INTERNAL_SOURCES = {"search", "feed", "circle", "promoter", "home", "station", "store", "category", "bundle"}
BOT_RE = re.compile(r"bot|crawl|spider|slurp|curl|wget|python-requests|httpx", re.I)


@dataclass
class Touch:
    source: str = "direct"
    channel: str = "direct"
    campaign: str = ""
    sharer_id: int | None = None
    referrer: str = ""
    utm: dict = field(default_factory=dict)

    @property
    def is_entry(self) -> bool:
        """An entry touch names a way in from outside (share, campaign, external site), not a click inside."""
        return self.source in {"share", "campaign", "external"}


def _clip(value: str, n: int = 100) -> str:
    return value.strip()[:n]


def classify(request) -> Touch:
    params = request.GET
    utm = {k: _clip(params[k]) for k in UTM_KEYS if params.get(k)}
    referrer = request.META.get("HTTP_REFERER", "")[:300]
    ref_host = (urlparse(referrer).hostname or "") if referrer else ""
    own_host = request.META.get("HTTP_HOST", "").split(":")[0]  # raw: classification only, never trusted
    internal = bool(ref_host) and ref_host == own_host
    sharer = params.get("share", "")
    if sharer:
        from tribe.core.sharing import decode_sharer  # late import: sharing depends on settings

        sharer_id = decode_sharer(sharer)
        if sharer_id is not None:
            return Touch("share", _clip(params.get("ch", "") or "share", 80), _clip(params.get("campaign", "")),
                         sharer_id, referrer, utm)
    if params.get("campaign") or utm:
        campaign = _clip(params.get("campaign", "") or utm.get("utm_campaign", ""))
        channel = utm.get("utm_source") or "campaign"
        return Touch("campaign", channel[:80], campaign, None, referrer, utm)
    if ref_host and not internal:
        return Touch("external", ref_host[:80], "", None, referrer, {})
    if internal:
        src = params.get("src", "")
        return Touch(src if src in INTERNAL_SOURCES else "site", "", "", None, referrer, {})
    return Touch("direct", "direct", "", None, referrer, {})


def device_of(request) -> str:
    ua = request.META.get("HTTP_USER_AGENT", "")
    if not ua or BOT_RE.search(ua):
        return "bot"
    if re.search(r"Mobile|Android|iPhone|MicroMessenger", ua):
        return "mobile"
    return "desktop"


def track_visit(request) -> dict:
    """Attach this request's touch and the visit's first touch to the request (and the session).

    The session is written only when a visit starts or its clock needs moving (at most once a minute), so
    ordinary page views cost no extra query.
    """
    touch = classify(request)
    now = int(time.time())
    visit = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    new_visit = not visit or now - visit.get("last", 0) > VISIT_GAP
    if new_visit:
        first = touch if touch.source not in {"site"} else Touch()
        visit = {"first": asdict(first), "started": now, "last": now}
        request.session[SESSION_KEY] = visit
    elif touch.is_entry and visit["first"]["source"] in {"direct", "site"}:
        # A visit that began "direct" and then arrives through a share or campaign is credited to it.
        visit["first"] = asdict(touch)
        visit["last"] = now
        request.session[SESSION_KEY] = visit
    elif now - visit.get("last", 0) > 60:
        visit["last"] = now
        request.session[SESSION_KEY] = visit
    request.tribe_touch = touch
    request.tribe_visit = visit
    return visit
