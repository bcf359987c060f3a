"""`tribe bench flashsale --campaign` end to end on a tiny sale (the figures in the docs are by hand)."""

import json
import os
import subprocess
import sys


def test_a_tiny_campaign_bench_sells_every_carved_unit_once():
    # given a fresh SQLite bench without Redis, 3 buyers racing through the flash endpoint for 6 units
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TRIBE_DATA_DIR", "REDIS_URL"}}
    command = [sys.executable, "-m", "tribe.cli", "bench", "flashsale", "--campaign", "--buyers", "3", "--stock", "6"]

    done = subprocess.run([*command, "--workers", "1", "--json"], env=env, capture_output=True, text=True,
                          timeout=300)

    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["path"] == "campaign" and report["ok"] is True
    assert {k: report[k] for k in ("orders", "units_sold", "oversold", "stock_left", "errors", "flash_left",
                                   "flash_sold", "flash_orders", "sku_public_stock")} == {
        "orders": 6, "units_sold": 6, "oversold": 0, "stock_left": 0, "errors": 0, "flash_left": 0,
        "flash_sold": 6, "flash_orders": 6, "sku_public_stock": 0}
    assert report["status"]["flash_buy 201"] == 6 and report["buyers_ended"] == {"sold_out": 3}


def test_redis_without_campaign_or_without_redis_url_is_refused():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TRIBE_DATA_DIR", "REDIS_URL"}}
    base = [sys.executable, "-m", "tribe.cli", "bench", "flashsale", "--buyers", "2", "--stock", "2"]
    assert subprocess.run([*base, "--redis"], env=env, capture_output=True, timeout=60).returncode == 2
    assert subprocess.run([*base, "--campaign", "--redis"], env=env, capture_output=True, timeout=60).returncode == 2
