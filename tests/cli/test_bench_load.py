"""The bench's load generator counts what it sees (the bench itself is `tribe bench api`, not a test)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tribe.bench.load import USER_AGENT, percentile, run_scenario


class Handler(BaseHTTPRequestHandler):
    seen_agents: set = set()

    def do_GET(self):  # noqa: N802 - http.server's naming
        Handler.seen_agents.add(self.headers.get("User-Agent"))
        status = 200 if self.path.startswith("/ok") else 404
        self.send_response(status)
        self.send_header("X-Tribe-Queries", "3" if status == 200 else "1")
        self.send_header("Set-Cookie", "sessionid=abc; Path=/")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (50.0, 99.0, 100.0)
    assert percentile([7.0], 99) == 7.0


def test_every_answer_is_counted_and_non_2xx_are_errors(server):
    # when half the requests go to a path that does not exist
    figures = run_scenario(server, lambda rng: rng.choice(["/ok", "/missing"]), duration=0.5, concurrency=3, seed="t")

    # then every answer is counted, and the 404s are reported as errors with their status
    ok, missing = figures["status"].get("200", 0), figures["status"].get("404", 0)
    assert ok > 0 and missing > 0
    assert figures["requests"] == ok + missing
    assert figures["errors"] == missing
    assert figures["queries_max"] == 3 and 1 <= figures["queries_mean"] <= 3
    assert figures["p50_ms"] <= figures["p99_ms"]
    assert figures["transport_errors"] == {}
    assert Handler.seen_agents == {USER_AGENT}


def test_an_unreachable_server_is_reported_not_hidden():
    figures = run_scenario("http://127.0.0.1:9", lambda rng: "/ok", duration=0.2, concurrency=1, seed="t")

    assert figures["requests"] == 0
    assert figures["errors"] == sum(figures["transport_errors"].values()) > 0
    assert figures["p50_ms"] is None and figures["queries_mean"] is None
