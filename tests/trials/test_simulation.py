"""The trials part of `tribe simulate` on a small world: applications, a draw, shipping, reports, no-shows,
and its invariants."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from tests.factories import UserFactory
from tribe.campaigns.simulation import Sim
from tribe.trials import simulation
from tribe.trials.models import Trial, TrialApplication

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    return request


def test_a_simulated_trial_runs_and_keeps_its_invariants(brand, staff, product):
    consumers = [UserFactory() for _ in range(12)]
    sim = Sim(rng=random.Random(7), consumers=consumers, brands=[brand], staff_of={brand.pk: staff},
              products_of={brand.pk: [product]}, pay=lambda user, order: None, request_for=_request,
              totals=Counter())
    simulation.setup(sim)
    for day in range(6):
        sim.day = day
        simulation.play_day(sim)
    sim.now_end = timezone.now() + timedelta(days=45)
    simulation.finish(sim)
    trial = Trial.objects.get()
    states = Counter(TrialApplication.objects.values_list("state", flat=True))
    assert sim.totals["trials_created"] == 1
    assert sim.totals["trials_selected"] == trial.selected_count == trial.units
    assert states["reported"] == sim.totals["trials_reported"] > 0
    assert states["no_show"] == sim.totals["trials_no_show"] == trial.units - states["reported"]
    assert states["applied"] + states["reported"] + states["no_show"] == len(TrialApplication.objects.all())
    assert simulation.check(sim) == {"trials_never_over_selected": True, "trials_no_shows_banned": True,
                                     "trials_reports_are_reviews": True}
