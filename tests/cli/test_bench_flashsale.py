"""`tribe bench flashsale` end to end on a tiny sale (the real run is 200 buyers × 1000 units, by hand)."""

import json
import os
import subprocess
import sys


def test_a_tiny_flash_sale_sells_every_unit_once_and_reports_it():
    # given a fresh SQLite bench (no DATABASE_URL), 4 buyers racing for 8 units over HTTP
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TRIBE_DATA_DIR"}}
    command = [sys.executable, "-m", "tribe.cli", "bench", "flashsale", "--buyers", "4", "--stock", "8"]

    # when the bench runs
    done = subprocess.run(
        [*command, "--workers", "1", "--json"], env=env, capture_output=True, text=True, timeout=120
    )

    # then it exits 0 and its one JSON object shows every unit sold exactly once, nothing left, no errors
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert {
        key: report[key]
        for key in ("orders", "units_sold", "oversold", "stock_left", "errors", "buyers", "stock", "workers")
    } == {
        "orders": 8,
        "units_sold": 8,
        "oversold": 0,
        "stock_left": 0,
        "errors": 0,
        "buyers": 4,
        "stock": 8,
        "workers": 1,
    }
    assert report["database"] == "sqlite"
    assert report["ok"] is True and report["problems"] == []
    assert report["client_orders"] == 8 and report["unpaid_orders"] == 0 and report["late_refunds"] == 0
    assert report["buyers_ended"] == {"sold_out": 4}
    # every order went through cart → checkout → pay → notify once
    assert (report["status"]["pay 201"], report["status"]["notify 200"]) == (8, 8)
    # and the figures are there and consistent
    assert report["orders_per_s"] > 0 and report["duration_s"] > 0
    assert 0 < report["p50_ms"] <= report["p99_ms"]
    ceiling = report["db_ceiling"]
    assert (ceiling["orders"], ceiling["stock_left"], ceiling["oversold"], ceiling["connections"]) == (8, 0, 0, 4)
    assert report["db_ceiling_per_s"] == ceiling["orders_per_s"] > 0
    assert report["ratio"] == round(report["orders_per_s"] / report["db_ceiling_per_s"], 3)
