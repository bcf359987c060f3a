"""The one helper of the PostgreSQL thread tests: start `n` threads at once (a barrier), each running `work(i)`,
and collect what each returned, or the code of the DomainError it raised. Each thread closes its connection."""

from __future__ import annotations

import threading

from django.db import connections

from tribe.core.errors import DomainError


def race(n, work):
    barrier = threading.Barrier(n)
    outcomes, lock = [], threading.Lock()

    def run(i):
        try:
            barrier.wait()
            outcome = work(i)
        except DomainError as exc:
            outcome = exc.code
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes
