"""Trial pages: the list, the trial page (apply, state, report deadline countdown, report form, share card),
my trials, and the brand console (list, create, start, applicants, manual and random selection, reports)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from tests.factories import UserFactory
from tests.images import png_upload
from tests.trials.conftest import ADDRESS, REASON, apply, make_core, new_trial, ship_and_receive
from tribe.trials import services
from tribe.trials.models import Trial, TrialApplication

pytestmark = pytest.mark.django_db
A = TrialApplication.State


def test_list_shows_open_trials_only(client, trial, staff, brand, sku):
    draft = new_trial(staff, brand, sku, start=False, title="草稿试用")
    r = client.get("/trials/")
    assert r.status_code == 200
    html = r.content.decode()
    assert trial.title in html and draft.title not in html
    assert client.get(f"/trials/{draft.pk}/").status_code == 404


def test_apply_on_the_page_then_state_shows(client, trial):
    user = UserFactory()
    client.force_login(user)
    r = client.get(f"/trials/{trial.pk}/")
    assert r.status_code == 200 and 'data-testid="trial-apply-form"' in r.content.decode()
    r = client.post(f"/trials/{trial.pk}/apply/", {"reason": REASON, **ADDRESS})
    assert r.status_code == 302
    html = client.get(f"/trials/{trial.pk}/").content.decode()
    assert 'data-state="applied"' in html and 'data-testid="trial-apply-form"' not in html
    r = client.post(f"/trials/{trial.pk}/apply/", {"reason": REASON, **ADDRESS})
    assert r.status_code == 409 and "你已经申请过这个试用了" in r.content.decode()


def test_apply_bad_input_re_renders_with_the_reason(client, trial):
    client.force_login(UserFactory())
    r = client.post(f"/trials/{trial.pk}/apply/", {"reason": "短", **ADDRESS})
    assert r.status_code == 422 and "申请理由请写" in r.content.decode()
    r = client.post(f"/trials/{trial.pk}/apply/", {"reason": REASON, **ADDRESS, "phone": "1"})
    assert r.status_code == 422
    assert TrialApplication.objects.count() == 0


def test_anonymous_apply_goes_to_login(client, trial):
    r = client.post(f"/trials/{trial.pk}/apply/", {"reason": REASON, **ADDRESS})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_selected_user_sees_countdown_and_posts_the_report(client, trial, staff, product):
    user = UserFactory()
    application = services.select(staff, trial, [apply(user, trial).pk])[0]
    ship_and_receive(staff, application)
    client.force_login(user)
    html = client.get(f"/trials/{trial.pk}/").content.decode()
    assert 'data-testid="report-countdown"' in html and 'data-testid="trial-report-form"' in html
    r = client.post(f"/trials/{trial.pk}/report/", {"rating": "5", "text": "很好用的面霜"})
    assert r.status_code == 422 and "至少一张图片" in r.content.decode()
    r = client.post(f"/trials/{trial.pk}/report/", {"rating": "5", "text": "很好用的面霜", "images": [png_upload()]})
    assert r.status_code == 302
    application.refresh_from_db()
    assert application.state == A.REPORTED
    html = client.get(f"/trials/{trial.pk}/").content.decode()
    assert 'data-testid="trial-report"' in html and "很好用的面霜" in html
    mine = client.get("/me/trials/").content.decode()
    assert 'data-state="reported"' in mine


def test_banned_user_sees_why(client, trial, staff, brand, sku):
    user = UserFactory()
    application = services.select(staff, trial, [apply(user, trial).pk])[0]
    ship_and_receive(staff, application)
    application.refresh_from_db()
    services.mark_no_shows(application.report_due_at + timedelta(seconds=1))
    other = new_trial(staff, brand, sku)
    client.force_login(user)
    html = client.get(f"/trials/{other.pk}/").content.decode()
    assert 'data-testid="trial-banned"' in html and 'data-testid="trial-apply-form"' not in html
    r = client.post(f"/trials/{other.pk}/apply/", {"reason": REASON, **ADDRESS})
    assert r.status_code == 403


def test_share_card(client, trial):
    r = client.get(f"/share/trial/{trial.pk}/")
    assert r.status_code == 200 and "免费试用" in r.content.decode()


def test_trial_badge_template_tag(trial, staff, product):
    user = UserFactory()
    services.select(staff, trial, [apply(user, trial).pk])
    done = services.submit_report(user, trial, rating=5, text="带图的试用报告", images=[png_upload()])
    html = Template("{% load trials %}{% trial_review_ids pid as ids %}{% if rid in ids %}BADGE{% endif %}").render(
        Context({"pid": product.pk, "rid": done.review_id}))
    assert html == "BADGE"


# ---- console --------------------------------------------------------------------------------------------------

def test_console_needs_brand_staff(client, trial):
    client.force_login(UserFactory())
    assert client.get("/console/maple/trials/").status_code == 403
    assert client.post(f"/console/maple/trials/{trial.pk}/select/", {"random": "1"}).status_code == 403


def test_console_create_start_and_list(client, staff, sku):
    client.force_login(staff)
    assert client.get("/console/maple/trials/new/").status_code == 200
    now = timezone.localtime()
    r = client.post("/console/maple/trials/new/", {
        "title": "新品面霜试用", "sku_id": str(sku.pk), "units": "5", "report_days": "7", "core_fans_first": "on",
        "starts_at": now.strftime("%Y-%m-%dT%H:%M"), "ends_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")})
    assert r.status_code == 302
    trial = Trial.objects.get()
    assert (trial.units, trial.report_days, trial.status) == (5, 7, "draft")
    r = client.post(f"/console/maple/trials/{trial.pk}/start/move/")
    assert r.status_code == 302
    trial.refresh_from_db()
    assert trial.status == "running"
    assert "新品面霜试用" in client.get("/console/maple/trials/").content.decode()
    r = client.post(f"/console/maple/trials/{trial.pk}/edit/", {
        "title": "新品面霜试用", "sku_id": str(sku.pk), "units": "5", "starts_at": "x", "ends_at": ""})
    assert r.status_code == 422


def test_console_select_by_hand_and_at_random(client, staff, brand, sku, community, product):
    trial = new_trial(staff, brand, sku, units=3)
    core = make_core(UserFactory(), community, product)
    hand = apply(UserFactory(), trial)
    apply(core, trial)
    for _ in range(3):
        apply(UserFactory(), trial)
    client.force_login(staff)
    html = client.get(f"/console/maple/trials/{trial.pk}/").content.decode()
    assert html.count('data-testid="trial-applicant"') == 5 and 'data-tier="core"' in html
    assert client.post(f"/console/maple/trials/{trial.pk}/select/", {"ids": [str(hand.pk)]}).status_code == 302
    assert client.post(f"/console/maple/trials/{trial.pk}/select/", {"random": "1"}).status_code == 302
    assert TrialApplication.objects.get(user=core).state == A.SELECTED  # core fans first
    client.post(f"/console/maple/trials/{trial.pk}/select/", {"random": "5"})  # over the units: refused
    trial.refresh_from_db()
    assert trial.selected_count == 2
    html = client.get(f"/console/maple/trials/{trial.pk}/?state=selected").content.decode()
    assert html.count('data-testid="trial-applicant"') == 2 and 'data-testid="trial-draws"' in html
    assert client.post(f"/console/maple/trials/{trial.pk}/reject/").status_code == 302
    assert TrialApplication.objects.filter(state=A.REJECTED).count() == 3
    assert client.get(f"/console/maple/trials/{trial.pk}/reports/").status_code == 200


def test_console_applicant_page_query_count_does_not_grow(client, staff, brand, sku, community,
                                                           django_assert_num_queries):
    trial = new_trial(staff, brand, sku, units=10)
    client.force_login(staff)
    for _ in range(2):
        apply(UserFactory(), trial)
    client.get(f"/console/maple/trials/{trial.pk}/")  # warm the session
    with django_assert_num_queries(QUERIES):
        assert client.get(f"/console/maple/trials/{trial.pk}/").status_code == 200
    for _ in range(6):
        apply(UserFactory(), trial)
    services.select_random(staff, trial, 4)
    with django_assert_num_queries(QUERIES):
        assert client.get(f"/console/maple/trials/{trial.pk}/").status_code == 200


QUERIES = 12


def test_trials_show_in_the_campaign_indexes(client, trial, staff):
    assert f"/trials/{trial.pk}/" in client.get("/campaigns/").content.decode()
    client.force_login(staff)
    r = client.get("/console/maple/campaigns/")
    assert r.status_code == 200 and "/console/maple/trials/" in r.content.decode()


def test_product_page_snippets(trial, staff, product):
    user = UserFactory()
    services.select(staff, trial, [apply(user, trial).pk])
    done = services.submit_report(user, trial, rating=5, text="带图的试用报告", images=[png_upload()])
    items = Template(
        '{% load i18n trials %}{% trial_review_ids product_id as trial_ids %}{% for r in items %}'
        '{% if r.pk in trial_ids %}<span class="tag" data-testid="trial-report-badge">{% translate "试用报告" %}'
        '</span>{% endif %}{{ r.pk }};{% endfor %}')
    html = items.render(Context({"product_id": product.pk, "items": [done.review, type("R", (), {"pk": 0})]}))
    assert html.count('data-testid="trial-report-badge"') == 1 and html.endswith(f"{done.review_id};0;")
    link = Template("{% load trials %}{% product_trial_link product %}").render(Context({"product": product}))
    assert f'href="/trials/{trial.pk}/"' in link


def test_trial_list_and_api_query_counts_do_not_grow(client, api_as, staff, brand, sku):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    new_trial(staff, brand, sku)

    def count(path, get):
        with CaptureQueriesContext(connection) as ctx:
            assert get(path).status_code == 200
        return len(ctx)

    api = api_as(None)
    count("/trials/", client.get), count("/trials", api.get)  # warm the visit's session
    one = (count("/trials/", client.get), count("/trials", api.get))
    for _ in range(4):
        new_trial(staff, brand, sku)
    assert (count("/trials/", client.get), count("/trials", api.get)) == one
