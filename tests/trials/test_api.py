"""Trials over the API: list and read, apply (201, then 409), my trials, console applicants and selection,
and bad input as 4xx in the error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.trials.conftest import ADDRESS, REASON, apply, make_core, new_trial
from tribe.orders.models import Address, Order
from tribe.trials.models import TrialApplication

pytestmark = pytest.mark.django_db
A = TrialApplication.State


def test_list_and_read_open_trials(api_as, trial, staff, brand, sku):
    new_trial(staff, brand, sku, start=False)  # a draft is not listed
    r = api_as(None).get("/trials")
    assert r.status_code == 200
    body = r.json()
    assert [t["id"] for t in body["items"]] == [trial.pk]
    item = body["items"][0]
    assert (item["units"], item["units_left"], item["phase"], item["list_price"]) == (3, 3, "live", "199.00")
    assert item["share_url"].endswith(f"/share/trial/{trial.pk}/")
    r = api_as(None).get(f"/trials/{trial.pk}")
    assert r.status_code == 200 and r.json()["me"] is None
    assert api_as(None).get("/trials/999999").status_code == 404


def test_apply_201_then_409_and_my_trials(api_as, trial):
    user = UserFactory()
    api = api_as(user)
    r = api.post(f"/trials/{trial.pk}/apply", {"reason": REASON, "address": ADDRESS})
    assert r.status_code == 201 and r.json()["state"] == "applied"
    r = api.post(f"/trials/{trial.pk}/apply", {"reason": REASON, "address": ADDRESS})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_applied"
    mine = api.get("/me/trials").json()
    assert [(m["trial"]["id"], m["application"]["state"]) for m in mine] == [(trial.pk, "applied")]
    assert api.get(f"/trials/{trial.pk}").json()["me"]["state"] == "applied"


def test_apply_with_a_saved_address(api_as, trial):
    user = UserFactory()
    saved = Address.objects.create(user=user, **ADDRESS)
    r = api_as(user).post(f"/trials/{trial.pk}/apply", {"reason": REASON, "address_id": saved.pk})
    assert r.status_code == 201
    assert TrialApplication.objects.get().address == ADDRESS


@pytest.mark.parametrize(("body", "status"), [
    ({"reason": "短", "address": ADDRESS}, 422),
    ({"reason": REASON}, 422),
    ({"reason": REASON, "address": {**ADDRESS, "phone": "12"}}, 422),
    ({"reason": REASON, "address": ADDRESS, "extra": 1}, 422),
    ({"reason": 5, "address": ADDRESS}, 422),
    ({"reason": REASON, "address_id": 424242}, 422),
])
def test_apply_bad_input(api_as, trial, body, status):
    r = api_as(UserFactory()).post(f"/trials/{trial.pk}/apply", body)
    assert r.status_code == status and "error" in r.json()
    assert TrialApplication.objects.count() == 0


def test_apply_needs_auth(api_as, trial):
    r = api_as(None).post(f"/trials/{trial.pk}/apply", {"reason": REASON, "address": ADDRESS})
    assert r.status_code == 401


def test_console_applicants_and_manual_selection(api_as, trial, staff, community, product):
    core = make_core(UserFactory(), community, product)
    a, b = apply(core, trial), apply(UserFactory(), trial)
    api = api_as(staff)
    r = api.get(f"/console/brands/maple/trials/{trial.pk}/applicants")
    assert r.status_code == 200
    assert {(i["id"], i["tier"]) for i in r.json()["items"]} == {(a.pk, "core"), (b.pk, None)}
    r = api.post(f"/console/brands/maple/trials/{trial.pk}/select", {"ids": [b.pk]})
    assert r.status_code == 200
    body = r.json()
    assert body["units_left"] == 2 and body["draw"] is None
    assert body["selected"][0]["state"] == "selected" and body["selected"][0]["order"]
    r = api.get(f"/console/brands/maple/trials/{trial.pk}/applicants", {"state": "selected"})
    assert [i["id"] for i in r.json()["items"]] == [b.pk]


def test_console_random_selection_over_units_is_409(api_as, staff, brand, sku):
    trial = new_trial(staff, brand, sku, units=2)
    for _ in range(3):
        apply(UserFactory(), trial)
    api = api_as(staff)
    r = api.post(f"/console/brands/maple/trials/{trial.pk}/select", {"random": 3})
    assert r.status_code == 409 and r.json()["error"]["code"] == "over_units"
    r = api.post(f"/console/brands/maple/trials/{trial.pk}/select", {"random": 2})
    assert r.status_code == 200
    body = r.json()
    assert len(body["selected"]) == 2 and body["units_left"] == 0 and len(body["draw"]["pool"]) == 3
    assert Order.objects.filter(status=Order.Status.PAID).count() == 2


@pytest.mark.parametrize("body", [{}, {"ids": [1], "random": 1}, {"random": 0}, {"ids": []}, {"ids": "1"}])
def test_console_select_bad_input(api_as, trial, staff, body):
    r = api_as(staff).post(f"/console/brands/maple/trials/{trial.pk}/select", body)
    assert r.status_code == 422


def test_console_needs_brand_staff(api_as, trial):
    api = api_as(UserFactory())
    assert api.get(f"/console/brands/maple/trials/{trial.pk}/applicants").status_code == 403
    assert api.post(f"/console/brands/maple/trials/{trial.pk}/select", {"random": 1}).status_code == 403
    assert api_as(None).get(f"/console/brands/maple/trials/{trial.pk}/applicants").status_code == 401


def test_console_create_start_and_list(api_as, staff, sku):
    now = timezone.now()
    api = api_as(staff)
    body = {"title": "新品试用", "sku_id": sku.pk, "units": 5, "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=2)).isoformat(), "report_days": 10}
    r = api.post("/console/brands/maple/trials", body)
    assert r.status_code == 201 and r.json()["status"] == "draft"
    trial_id = r.json()["id"]
    r = api.post(f"/console/brands/maple/trials/{trial_id}/move", {"action": "start"})
    assert r.status_code == 200 and r.json()["status"] == "running"
    r = api.post(f"/console/brands/maple/trials/{trial_id}/move", {"action": "start"})
    assert r.status_code == 409
    assert [t["id"] for t in api.get("/console/brands/maple/trials").json()["items"]] == [trial_id]
    r = api.post("/console/brands/maple/trials", {**body, "units": 0})
    assert r.status_code == 422 and "units" in r.json()["error"]["fields"]
    r = api.post("/console/brands/maple/trials", {**body, "starts_at": "2026-01-01T00:00:00"})
    assert r.status_code == 422


def test_report_over_the_api(api_as, trial, staff):
    from tests.images import png_upload
    from tribe.trials import services

    user = UserFactory()
    services.select(staff, trial, [apply(user, trial).pk])
    api = api_as(user)
    r = api.upload(f"/trials/{trial.pk}/report", rating="5", text="很好用，推荐给大家")
    assert r.status_code == 422 and r.json()["error"]["code"] == "report_needs_photos"
    r = api.upload(f"/trials/{trial.pk}/report", rating="5", text="很好用，推荐给大家", images=[png_upload()])
    assert r.status_code == 201 and r.json()["state"] == "reported" and r.json()["review_id"]
    r = api.upload(f"/trials/{trial.pk}/report", rating="5", text="再交一次", images=[png_upload()])
    assert r.status_code == 409
    other = api_as(UserFactory()).upload(f"/trials/{trial.pk}/report", rating="5", text="我没申请",
                                         images=[png_upload()])
    assert other.status_code == 404
