"""Periodic jobs. Apps register a django-tasks task here; `tribe worker` enqueues each one every interval and
the database worker runs it. Deadlines are also enforced on access (e.g. an unpaid order is expired when it is
opened), so a stopped worker delays the sweep but never lets a deadline be missed in what users see."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class PeriodicJob:
    name: str
    task_path: str  # dotted path to a django-tasks Task
    every_seconds: int


JOBS: list[PeriodicJob] = []


def register(name: str, task_path: str, every_seconds: int) -> None:
    """Called from an app's AppConfig.ready(); registering the same name again replaces it."""
    JOBS[:] = [j for j in JOBS if j.name != name] + [PeriodicJob(name, task_path, every_seconds)]


def _task(path: str):
    from django.utils.module_loading import import_string

    return import_string(path)


def enqueue_due(last_run: dict[str, float], now: float) -> list[str]:
    enqueued = []
    for job in JOBS:
        if now - last_run.get(job.name, 0) >= job.every_seconds:
            try:
                _task(job.task_path).enqueue()
                enqueued.append(job.name)
            except Exception:  # noqa: BLE001 - the scheduler keeps going; the next tick retries
                log.exception("could not enqueue %s", job.name)
            last_run[job.name] = now
    return enqueued


def start_scheduler(stop: threading.Event, tick: float = 5.0) -> threading.Thread:
    import time

    def loop():
        last_run: dict[str, float] = {}
        while not stop.is_set():
            enqueue_due(last_run, time.monotonic())
            stop.wait(tick)

    thread = threading.Thread(target=loop, name="tribe-scheduler", daemon=True)
    thread.start()
    return thread
