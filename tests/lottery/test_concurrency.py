"""Real threads against PostgreSQL: 100 players draw at once (50 connections, two draws each) from 3 prizes of
one unit each whose odds add up to 100% — exactly 3 win, the stock ends at 0, 97 draws record "none" (out of
stock), and the audit reconciles. And one player racing their own chances from several tabs can't pass the
daily limit."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from tests.factories import UserFactory
from tests.lottery.conftest import make_lottery
from tribe.core.errors import DomainError
from tribe.lottery import draws, selectors
from tribe.lottery.models import Chance, Draw, Prize

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(n, work, per_thread=1):
    """`n` threads released together, each doing `per_thread` calls of work(i) in a row (one connection per
    thread: PostgreSQL's default max_connections is 100, shared with the test database itself)."""
    barrier = threading.Barrier(n)
    outcomes, lock = [], threading.Lock()

    def run(t):
        barrier.wait()
        try:
            for i in range(t * per_thread, (t + 1) * per_thread):
                try:
                    outcome = work(i)
                except DomainError as exc:
                    outcome = exc.code
                with lock:
                    outcomes.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(t,)) for t in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_100_concurrent_draws_on_3_single_prizes_make_exactly_3_winners(shop):
    sku = shop["product"].skus.first()
    lottery = make_lottery(shop, [
        {"kind": "goods", "name": "一等奖", "weight": 200, "stock": 1, "sku_id": sku.pk},
        {"kind": "goods", "name": "二等奖", "weight": 300, "stock": 1, "sku_id": sku.pk},
        {"kind": "goods", "name": "三等奖", "weight": 500, "stock": 1, "sku_id": sku.pk},
    ])
    players = [UserFactory() for _ in range(100)]
    for p in players:
        Chance.objects.create(lottery=lottery, user=p, source="share", ref="share:race", granted=1)

    outcomes = _race(50, lambda i: draws.draw(players[i], lottery.pk, "share").pk, per_thread=2)

    assert len(outcomes) == 100 and all(isinstance(o, int) for o in outcomes), outcomes
    assert Draw.objects.count() == 100
    assert Draw.objects.filter(prize__isnull=False).count() == 3
    assert Draw.objects.filter(prize__isnull=True, note="prize_out_of_stock").count() == 97
    assert list(Prize.objects.values_list("stock", flat=True)) == [0, 0, 0]
    assert sorted(Draw.objects.filter(prize__isnull=False).values_list("stock_before", "stock_after")) == [(1, 0)] * 3
    audit = selectors.audit(lottery)
    assert (audit.draws, audit.winners, audit.reconciles) == (100, 3, True)


def test_one_player_racing_from_tabs_cannot_pass_the_daily_limit(shop):
    lottery = make_lottery(shop, [{"kind": "none", "name": "谢谢参与", "weight": 1000}], daily_limit=2)
    player = UserFactory()
    Chance.objects.create(lottery=lottery, user=player, source="share", ref="share:tabs", granted=8)

    outcomes = _race(8, lambda i: draws.draw(player, lottery.pk, "share").pk)

    assert Draw.objects.count() == 2
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["draw_limit_daily"] * 6
    assert Chance.objects.get().used == 2
