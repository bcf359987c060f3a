"""RFM quintile boundaries and segments on hand-built orders with known answers; page, CSV, API and CLI agree;
brands see only their own buyers."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.orders.conftest import checkout, pay, sku_of
from tests.orders.conftest import shop as shop  # noqa: F401 - fixture
from tribe.analytics.rfm import customers, quintile_scores, segment_summary
from tribe.orders.models import Order

pytestmark = pytest.mark.django_db


def test_quintile_boundaries_and_ties():
    assert quintile_scores([10, 20, 30, 40, 50]) == [1, 2, 3, 4, 5]
    assert quintile_scores([10, 20, 30, 40, 50], higher_is_better=False) == [5, 4, 3, 2, 1]
    assert quintile_scores(list(range(10))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert quintile_scores([1, 1, 1, 1, 2]) == [1, 1, 1, 1, 5]  # ties share the score of their first rank
    assert quintile_scores([]) == []


def test_customers_scores_and_segments(shop):
    from tribe.catalog.models import Sku

    Sku.objects.update(stock=100)
    now = timezone.now()
    buyers = []
    for i, (orders, days_ago) in enumerate([(4, 1), (1, 2), (3, 200), (1, 300), (2, 30)]):
        user = UserFactory()
        buyers.append(user)
        for k in range(orders):
            order = checkout(user, [(sku_of(shop["a"]), 1)], key=f"rfm-{i}-{k}-key")
            pay(user, order)
            Order.objects.filter(pk=order.pk).update(paid_at=now - timedelta(days=days_ago + k))
    unpaid = checkout(UserFactory(), [(sku_of(shop["a"]), 1)], key="rfm-unpaid-1")
    assert unpaid.status == Order.Status.PENDING_PAYMENT
    other = UserFactory()
    pay(other, checkout(other, [(sku_of(shop["b"]), 1)], key="rfm-other-b"))
    rows = {c.user_id: c for c in customers(shop["a"].brand_id, now=now)}
    assert set(rows) == {u.pk for u in buyers}  # no unpaid buyer, no other brand's buyer
    top, fresh, lapsed, cold, mid = (rows[u.pk] for u in buyers)
    assert (top.frequency, top.recency_days, top.monetary) == (4, 1, Decimal("272.00"))  # 4 × (60 + 8 shipping)
    assert (top.r, top.f, top.segment) == (5, 5, "champions")
    assert (fresh.r, fresh.f, fresh.segment) == (4, 1, "new")
    assert (lapsed.r, lapsed.f, lapsed.segment) == (2, 4, "at_risk")
    assert (cold.r, cold.segment) == (1, "hibernating")
    summary = {s["segment"]: s["customers"] for s in segment_summary(list(rows.values()))}
    assert sum(summary.values()) == 5 and summary["champions"] == 1


def test_page_csv_api_cli_and_permissions(client, shop, capsys):
    from tribe.cli import main

    user = UserFactory()
    pay(user, checkout(user, [(sku_of(shop["a"]), 1)], key="rfm-page-1"))
    slug = shop["a"].brand.slug
    client.force_login(shop["staff_a"])
    page = client.get(f"/console/{slug}/analytics/rfm/")
    assert page.status_code == 200 and 'data-segment="champions"' in page.content.decode()
    export = client.get(f"/console/{slug}/analytics/rfm.csv").content.decode("utf-8-sig").splitlines()
    assert export[0].startswith("user_id,") and export[1].startswith(f"{user.pk},")
    api = client.get(f"/api/v1/console/brands/{slug}/reports/rfm").json()
    assert [c["user_id"] for c in api["customers"]] == [user.pk]
    assert main(["report", "rfm", "--brand", slug, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["customers"] == api["customers"]
    client.force_login(shop["staff_b"])
    assert client.get(f"/console/{slug}/analytics/rfm/").status_code == 403
    assert client.get(f"/console/{slug}/analytics/rfm.csv").status_code == 403
    assert client.get(f"/api/v1/console/brands/{slug}/reports/rfm").status_code == 403
