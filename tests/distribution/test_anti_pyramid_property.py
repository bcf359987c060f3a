"""Hypothesis over random histories of joins, invitations, clicks (by promoters and by non-promoters), orders,
payments and program changes: no line ever pays more promoters than its program allows at order time (never
more than 2), every attribution belongs to an order line a buyer actually placed through a click, nobody earns
on their own purchase, and recruiting alone (joining, inviting, being followed by recruits) never creates an
attribution or a ledger entry."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tests.orders.conftest import checkout, pay
from tribe.commissions.models import LedgerEntry
from tribe.core.errors import DomainError
from tribe.distribution import clicks, services
from tribe.distribution.models import LineAttribution, Promoter

P = st.integers(0, 3)
click = st.tuples(st.just("click"), P, P)  # sharer, visitor
buy = st.tuples(st.just("buy"), P, st.booleans())  # buyer, pay it
join = st.tuples(st.just("join"), P)
steps = st.lists(st.one_of(
    join, join, click, click, click, buy, buy, buy,
    st.tuples(st.just("invite"), P),
    st.tuples(st.just("depth"), st.sampled_from([1, 2])),
    st.tuples(st.just("rule"), st.sampled_from(["window", "first_click", "last_click"])),
), min_size=1, max_size=30)
TWO_PROMOTERS = [("join", 0), ("join", 1), ("depth", 2), ("click", 0, 2), ("click", 1, 2), ("buy", 2, True),
                 ("depth", 1), ("click", 0, 3), ("click", 1, 3), ("buy", 3, True), ("join", 2), ("buy", 2, True)]


class _Request:
    def __init__(self, user):
        from django.contrib.sessions.backends.db import SessionStore

        self.user, self.session, self.META = user, SessionStore(), {"REMOTE_ADDR": "10.0.0.1"}


class AntiPyramidProperties(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps)
    @example(TWO_PROMOTERS)
    def test_depth_and_no_recruitment_rewards(self, history):
        per_line = self.play(history)
        event(f"attributed lines: {'some' if per_line else 'none'}; "
              f"two promoters on a line: {any(len(a) == 2 for a in per_line.values())}")

    def test_the_fixed_history_really_pays_two_promoters_on_one_line_then_one(self):
        per_line = self.play(TWO_PROMOTERS)
        # depth 2: two promoters; back to depth 1: one; the buyer who became a promoter still pays their
        # binder (not themself)
        assert sorted(len(a) for a in per_line.values()) == [1, 1, 2]

    def play(self, history) -> dict:
        store = StoreFactory()
        staff = MembershipFactory(brand=store.brand).user
        product = ProductFactory(store=store, skus=[{"price": Decimal("50.00"), "stock": 1000}])
        services.save_program(staff, store.brand, join_policy="apply", binding="window", window_days=30,
                              default_rate="0.1000", max_promoters_per_line=1, min_withdrawal="10.00")
        people = [UserFactory() for _ in range(4)]
        allowed_at_order: dict[int, int] = {}
        orders = 0
        for step in history:
            kind = step[0]
            try:
                if kind == "join":
                    p = services.join(people[step[1]], store.brand)
                    if p.state == Promoter.State.PENDING:
                        services.decide(staff, store.brand, p.pk, "approve")
                elif kind == "invite":
                    services.invite(staff, store.brand, people[step[1]].username)
                elif kind == "click":
                    clicks.record_click(_Request(people[step[2]]), "product", product,
                                        sharer_id=people[step[1]].pk, channel="wechat")
                elif kind == "buy":
                    orders += 1
                    order = checkout(people[step[1]], [(product.skus.get(), 1)], key=f"prop-order-{orders:04d}")
                    allowed_at_order[order.pk] = store.brand.promoter_program.max_promoters_per_line
                    if step[2]:
                        pay(people[step[1]], order)
                elif kind == "depth":
                    services.save_program(staff, store.brand, max_promoters_per_line=step[1])
                    store.brand.promoter_program.refresh_from_db()
                elif kind == "rule":
                    services.save_program(staff, store.brand, binding=step[1])
            except DomainError:
                pass
        per_line: dict[int, list[LineAttribution]] = {}
        for att in LineAttribution.objects.select_related("line__order", "promoter"):
            per_line.setdefault(att.line_id, []).append(att)
        for atts in per_line.values():
            order = atts[0].line.order
            assert len(atts) <= min(2, allowed_at_order[order.pk])
            assert all(a.promoter.user_id != order.user_id for a in atts)  # never on one's own purchase
            assert len({a.promoter_id for a in atts}) == len(atts)
        earners = set(LedgerEntry.objects.values_list("promoter_id", flat=True))
        attributed = {a.promoter_id for atts in per_line.values() for a in atts}
        assert earners <= attributed  # recruiting, joining or being invited alone earns nothing
        paid_attributed = {a.promoter_id for atts in per_line.values() for a in atts if a.line.order.paid_total > 0}
        assert earners <= paid_attributed  # the ledger only moves on real paid sales
        return per_line
