"""Traffic sources on hand-built event logs with known answers: sessionization at 30 minutes, visits and visitors
per source/channel/day, the brand's paid orders credited to their first touch, the previous period, permissions,
bad input, and the same numbers on the page, the CSV, the API and `tribe report sources`."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import MembershipFactory, UserFactory
from tests.orders.conftest import checkout, pay, sku_of
from tests.orders.conftest import shop as shop  # noqa: F401 - fixture
from tribe.analytics import reports
from tribe.analytics.sessions import sessionize
from tribe.core.errors import ValidationFailed
from tribe.core.models import Event
from tribe.orders.models import Order

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2026, 11, day, hour, minute), TZ)


def ev(brand_id, when, *, actor=None, session="", source="direct", channel="", campaign="", name="product_view"):
    return Event.objects.create(name=name, created_at=when, actor=actor, session_key=session, brand_id=brand_id,
                                source=source, channel=channel, campaign=campaign)


def test_sessionize_splits_at_thirty_minutes_of_inactivity():
    rows = [
        (1, 7, "", at(10, 10, 0), "a", "share", "wechat", ""),
        (2, 7, "", at(10, 10, 29), "b", "share", "wechat", ""),
        (3, 7, "", at(10, 11, 0), "c", "direct", "", ""),  # 31 minutes after the last: a new visit
        (4, None, "sess", at(10, 10, 5), "a", "search", "", ""),
        (5, None, "", at(10, 10, 6), "a", "direct", "", ""),
        (6, None, "", at(10, 10, 6), "a", "direct", "", ""),  # no visitor key: each its own visit
    ]
    visits = sessionize(reversed(rows))
    assert [(v.visitor, v.source, len(v.events)) for v in visits] == [
        ("u7", "share", 2), ("ssess", "search", 1), ("e5", "direct", 1), ("e6", "direct", 1), ("u7", "direct", 1)]


@pytest.fixture
def log(shop):
    """Brand A: visitor u1 twice from a WeChat share (2 visits), an anonymous search visit, a direct visit by u2;
    brand B: one visit (must not count for A). Orders: u1 pays one A order credited to the share; an unpaid A
    order and a paid B order do not count."""
    brand_a, brand_b = shop["a"].brand_id, shop["b"].brand_id
    u1, u2 = UserFactory(), UserFactory()
    ev(brand_a, at(10, 10), actor=u1, source="share", channel="wechat")
    ev(brand_a, at(10, 10, 10), actor=u1, source="share", channel="wechat")
    ev(brand_a, at(11, 9), actor=u1, source="share", channel="wechat")
    ev(brand_a, at(11, 12), session="anon-1", source="search")
    ev(brand_a, at(11, 13), actor=u2)
    ev(brand_b, at(11, 13), actor=u2)
    paid = checkout(u1, [(sku_of(shop["a"]), 2)], key="sources-paid-1")
    pay(u1, paid)
    Order.objects.filter(pk=paid.pk).update(source="share", channel="wechat", created_at=at(11, 9, 5))
    unpaid = checkout(u2, [(sku_of(shop["a"]), 1)], key="sources-unpaid")
    Order.objects.filter(pk=unpaid.pk).update(created_at=at(11, 13, 5))
    other = checkout(u2, [(sku_of(shop["b"]), 1)], key="sources-other")
    pay(u2, other)
    Order.objects.filter(pk=other.pk).update(created_at=at(11, 13, 6))
    paid.refresh_from_db()
    return {"a": brand_a, "b": brand_b, "paid": paid}


def test_sources_per_source_with_orders_credited_to_first_touch(log):
    rows = {r.key: r for r in reports.traffic_sources(log["a"], at(10, 0).date(), at(11, 0).date())}
    assert set(rows) == {"share", "search", "direct"}
    share = rows["share"]
    assert (share.visits, share.visitors, share.orders, share.buyers) == (2, 1, 1, 1)
    assert share.gmv == log["paid"].total == Decimal("120.00")
    assert share.conversion == 1.0
    assert (rows["search"].visits, rows["search"].orders) == (1, 0)
    assert (rows["direct"].visits, rows["direct"].visitors, rows["direct"].orders) == (1, 1, 0)  # unpaid: no order


def test_by_day_and_channel_and_the_previous_period(log):
    days = {r.key: r.visits for r in reports.traffic_sources(log["a"], at(10, 0).date(), at(11, 0).date(), by="day")}
    assert days == {"2026-11-10": 1, "2026-11-11": 3}
    channels = {r.key: r.visits for r in reports.traffic_sources(log["a"], at(10, 0).date(), at(11, 0).date(),
                                                                 by="channel")}
    assert channels == {"wechat": 2, "(none)": 2}
    report = reports.with_previous(log["a"], at(11, 0).date(), at(11, 0).date())
    assert report["previous_start"] == report["previous_end"] == at(10, 0).date()
    assert (report["total"].visits, report["previous_total"].visits) == (3, 1)
    platform = {r.key: r.visits for r in reports.traffic_sources(None, at(11, 0).date(), at(11, 0).date())}
    assert platform["direct"] == 1  # u2 looked at both brands in one visit: one platform visit


def test_bad_ranges_and_dimensions_are_refused():
    with pytest.raises(ValidationFailed) as exc:
        reports.parse_range("2026-11-12", "2026-11-01")
    assert exc.value.code == "reversed_range"
    with pytest.raises(ValidationFailed):
        reports.parse_range("yesterday", "")
    with pytest.raises(ValidationFailed):
        reports.parse_range("2024-01-01", "2026-01-01")
    with pytest.raises(ValidationFailed) as exc:
        reports.traffic_sources(None, at(1, 0).date(), at(2, 0).date(), by="city")
    assert exc.value.code == "unknown_dimension"


def test_page_csv_api_and_cli_agree_and_brands_see_only_their_own(client, log, shop, capsys):
    from tribe.cli import main

    slug = shop["a"].brand.slug
    query = "start=2026-11-10&end=2026-11-11&by=source"
    client.force_login(shop["staff_a"])
    page = client.get(f"/console/{slug}/analytics/?{query}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="total-visits">4<' in html and 'id="sources-data"' in html
    export = client.get(f"/console/{slug}/analytics/sources.csv?{query}")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert table[0] == reports.CSV_HEADER and ["share", "2", "1", "1", "1", "120.00", "1.0"] in table
    api = client.get(f"/api/v1/console/brands/{slug}/reports/sources?{query}").json()
    assert {r["key"]: r["visits"] for r in api["rows"]} == {"share": 2, "search": 1, "direct": 1}
    assert client.get(f"/api/v1/console/brands/{slug}/reports/sources?start=2026-11-12&end=2026-11-01").status_code \
        == 422
    assert client.get(f"/console/{slug}/analytics/?start=2026-11-12&end=2026-11-01").status_code == 422
    assert main(["report", "sources", "--brand", slug, "--start", "2026-11-10", "--end", "2026-11-11", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["rows"] == api["rows"]
    assert main(["report", "sources", "--start", "2026-11-12", "--end", "2026-11-01"]) == 2
    # brand B's staff never see brand A's data
    client.force_login(shop["staff_b"])
    assert client.get(f"/console/{slug}/analytics/").status_code == 403
    assert client.get(f"/console/{slug}/analytics/sources.csv").status_code == 403
    assert client.get(f"/api/v1/console/brands/{slug}/reports/sources").status_code == 403
    client.force_login(MembershipFactory().user)
    assert client.get(f"/api/v1/console/brands/{slug}/reports/sources").status_code == 403
