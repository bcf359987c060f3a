"""Real threads against PostgreSQL: racing selections never give out more units than offered, and a double
submitted application is stored once."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.concurrency import race as _race
from tests.factories import UserFactory
from tests.trials.conftest import apply, new_trial
from tribe.orders.models import Order
from tribe.trials import services
from tribe.trials.models import Trial, TrialApplication

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_racing_selections_never_exceed_the_units(staff, brand, sku):
    trial = new_trial(staff, brand, sku, units=5)
    ids = [apply(UserFactory(), trial).pk for _ in range(12)]

    def work(i):
        if i % 2:
            services.select_random(staff, trial, 2)
        else:
            services.select(staff, trial, ids[i:i + 2])
        return "selected"

    outcomes = _race(8, work)
    trial.refresh_from_db()
    selected = TrialApplication.objects.filter(trial=trial, state=TrialApplication.State.SELECTED).count()
    assert trial.selected_count == selected == Order.objects.filter(status=Order.Status.PAID).count() <= 5
    assert outcomes.count("selected") * 2 == selected
    assert set(outcomes) <= {"selected", "over_units", "not_applied"}
    assert connection.vendor == "postgresql"


def test_a_double_submitted_application_is_one_row(staff, brand, sku):
    trial = new_trial(staff, brand, sku)
    user = UserFactory()
    outcomes = _race(4, lambda i: apply(user, trial).state)
    assert sorted(outcomes) == ["already_applied"] * 3 + ["applied"]
    assert TrialApplication.objects.filter(trial=trial).count() == 1
    assert Trial.objects.get(pk=trial.pk).selected_count == 0
