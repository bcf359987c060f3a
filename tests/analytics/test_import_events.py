"""`tribe import-events FILE --format userbehavior`: users, categories, items and events created as needed; malformed
rows reported with line numbers and skipped, or the import aborted with nothing written; the imported log feeds
the reports (a pv → cart → buy funnel)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model

from tribe.analytics.funnels import funnel
from tribe.analytics.imports import import_userbehavior
from tribe.brands.models import Brand
from tribe.catalog.models import Product
from tribe.core.errors import ValidationFailed
from tribe.core.models import Event

pytestmark = pytest.mark.django_db
TS = 1511544070  # 2017-11-24 17:21:10 UTC, as in the public log

GOOD = f"""1,2268318,2520377,pv,{TS}
1,2268318,2520377,cart,{TS + 60}
1,2268318,2520377,buy,{TS + 120}
2,2268318,2520377,pv,{TS + 30}
2,4666650,4801426,fav,{TS + 90}
"""
BAD = f"""user_id,item_id,category_id,behavior,timestamp
1,2268318,2520377,pv,{TS}
1,2268318,2520377,teleport,{TS + 1}
1,abc,2520377,pv,{TS + 2}
1,2268318,2520377,pv
3,2268318,2520377,cart,{TS + 3}
"""


def test_import_creates_users_items_and_events_that_feed_the_funnel(tmp_path):
    path = tmp_path / "UserBehavior.csv"
    path.write_text(GOOD)
    report = import_userbehavior(path)
    assert report.as_dict() == {"rows": 5, "events": 5, "users_created": 2, "items_created": 2,
                                "categories_created": 2, "skipped": 0, "errors": []}
    assert get_user_model().objects.filter(username__in=["ub_1", "ub_2"]).count() == 2
    brand = Brand.objects.get(slug="userbehavior")
    assert Product.objects.filter(brand=brand, published=False).count() == 2
    assert sorted(Event.objects.values_list("name", flat=True)) == [
        "add_to_cart", "favorite", "order_paid", "product_view", "product_view"]
    day = Event.objects.order_by("created_at").first().created_at.astimezone().date()
    data = funnel(brand.pk, "pv,cart,buy", day, day)
    assert [s["visitors"] for s in data["groups"]["all"]] == [2, 1, 1]
    again = import_userbehavior(path)  # users, items and categories are reused
    assert (again.users, again.items, again.categories, again.events) == (0, 0, 0, 5)


def test_malformed_rows_are_skipped_with_line_numbers(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    report = import_userbehavior(path)
    assert (report.rows, report.events, report.skipped) == (5, 2, 3)
    assert [e.split(":")[0] for e in report.errors] == ["line 3", "line 4", "line 5"]
    assert "teleport" in report.errors[0]


def test_strict_import_aborts_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    with pytest.raises(ValidationFailed) as exc:
        import_userbehavior(path, strict=True)
    assert "line 3" in exc.value.message
    assert not Event.objects.exists() and not get_user_model().objects.filter(username__startswith="ub_").exists()
    assert not Brand.objects.filter(slug="userbehavior").exists()


def test_cli(tmp_path, capsys):
    from tribe.cli import main

    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    assert main(["import-events", str(path), "--format", "userbehavior"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["skipped"] == 3 and "skipped line 3" in out.err
    assert main(["import-events", str(path), "--strict"]) == 2
    assert main(["import-events", str(tmp_path / "missing.csv")]) == 2
    assert main(["import-events", str(path), "--format", "parquet"]) == 2
