"""`tribe demo` and `tribe serve` as a user runs them: real processes on a fresh data directory."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest

from tribe.demo.data import DEMO_PASSWORD

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="runs `tribe demo` on its own SQLite file; covered by the SQLite pass",
    ),
]


def tribe(*args, env, cwd, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "tribe.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def fresh_env(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "STATIC_ROOT", "MEDIA_ROOT"}
    }
    env["TRIBE_DATA_DIR"] = str(tmp_path / "data")  # does not exist yet: `tribe demo` creates it
    env.pop("DEBUG", None)
    return env


def test_demo_no_serve_on_a_fresh_data_dir_then_serve(fresh_env, tmp_path):
    data = tmp_path / "data"

    # when the demo is prepared on a machine that has never run Tribe
    first = tribe("demo", "--no-serve", env=fresh_env, cwd=tmp_path)

    # then it migrated, seeded, collected static files and printed the logins
    assert first.returncode == 0, first.stderr
    assert f"Demo logins (password for all: {DEMO_PASSWORD})" in first.stdout
    assert "operator" in first.stdout and "nuanyang-owner" in first.stdout
    db = sqlite3.connect(data / "tribe.sqlite3")
    (products,) = db.execute("SELECT COUNT(*) FROM catalog_product").fetchone()
    kinds = {k for (k,) in db.execute("SELECT DISTINCT kind FROM brands_brand")}
    assert products >= 200 and kinds == {"hub", "flagship", "content"}
    assert (data / "static" / "tribe" / "css" / "tribe.css").is_file()

    # when it runs again, it keeps the data and still shows the logins
    second = tribe("demo", "--no-serve", env=fresh_env, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "already seeded" in second.stdout and "nuanyang-owner" in second.stdout
    assert db.execute("SELECT COUNT(*) FROM catalog_product").fetchone() == (products,)

    # and `tribe seed` refuses to seed it a second time
    seed = tribe("seed", env=fresh_env, cwd=tmp_path)
    assert seed.returncode == 2
    assert "refusing to seed" in seed.stderr

    # when it is served, pages, static files and uploaded images answer
    (image,) = db.execute("SELECT image FROM catalog_productimage ORDER BY id LIMIT 1").fetchone()
    (product_id,) = db.execute(
        "SELECT id FROM catalog_product WHERE published ORDER BY id LIMIT 1"
    ).fetchone()
    db.close()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tribe.cli", "serve", "--port", str(port), "--workers", "1"],
        env=fresh_env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        home = _get_when_up(base + "/", server)
        assert home.status_code == 200
        assert httpx.get(f"{base}/static/tribe/css/tribe.css").status_code == 200
        assert httpx.get(f"{base}/media/{image}").headers["content-type"] == "image/jpeg"
        assert httpx.get(f"{base}/p/{product_id}/").status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=30)
    assert f"Serving Tribe on http://127.0.0.1:{port}/ with 1 workers" in out.decode()


def _get_when_up(url, server, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stdout.read().decode()
        try:
            return httpx.get(url, timeout=10)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout}s")
