"""Starting, waiting for and stopping `tribe serve` for the benches (`tribe bench api`, `… flashsale`).

The server is a child process running the production configuration (gunicorn, DEBUG off) on a free local
port; its output goes to a log file whose tail is shown if it dies before answering.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .load import USER_AGENT

READY_TIMEOUT = 90
HOST = "127.0.0.1"


def say(message: str) -> None:
    """Progress goes to stderr, so stdout stays one clean JSON object under --json."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def tribe_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "tribe.cli", *args]


def server_env(data_dir: Path, database_url: str | None, *, query_header: bool = False) -> dict[str, str]:
    """This process's environment for a server on `data_dir` (and `database_url`, else SQLite in it)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "STATIC_ROOT", "MEDIA_ROOT"}}
    env.update({"TRIBE_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "tribe.settings"})
    if query_header:
        env["TRIBE_QUERY_HEADER"] = "1"
    env.pop("DEBUG", None)  # measure the production configuration
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def use_env(env: dict[str, str]) -> None:
    """Make this process see exactly `env` (it reads the server's database before Django is set up)."""
    for key in set(os.environ) - set(env):
        del os.environ[key]
    os.environ.update(env)


def start_server(
    env: dict[str, str], *, port: int, workers: int, threads: int, log_path: Path
) -> subprocess.Popen:
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            tribe_cmd(
                "serve",
                "--host",
                HOST,
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--threads",
                str(threads),
            ),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def wait_ready(
    base_url: str, server: subprocess.Popen, log_path: Path, timeout: float = READY_TIMEOUT
) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            say(
                f"the server exited with {server.returncode}:\n{log_path.read_text(errors='replace')[-3000:]}"
            )
            return False
        try:
            httpx.get(base_url + "/", timeout=5, headers={"User-Agent": USER_AGENT})
            return True
        except httpx.HTTPError:
            time.sleep(0.3)
    say(f"the server did not answer within {timeout:g}s")
    return False


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # gunicorn: graceful shutdown of the master and its workers
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
