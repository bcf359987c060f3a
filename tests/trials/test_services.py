"""Trial services: apply once, selection never over the units, core fans first in draws, the zero-price order,
reports before the deadline, no-shows and the ban they bring."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from tests.factories import UserFactory
from tests.images import png_upload
from tests.trials.conftest import ADDRESS, apply, make_core, new_trial, ship_and_receive
from tribe.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from tribe.orders.models import LineAdjustment, Order
from tribe.trials import selectors, services
from tribe.trials.models import Trial, TrialApplication, TrialDraw

A = TrialApplication.State
pytestmark = pytest.mark.django_db


def test_apply_twice_is_a_conflict(trial):
    user = UserFactory()
    first = apply(user, trial)
    with pytest.raises(Conflict) as exc:
        apply(user, trial)
    assert exc.value.code == "already_applied"
    assert list(TrialApplication.objects.values_list("pk", "state")) == [(first.pk, A.APPLIED)]
    assert first.address == ADDRESS


@pytest.mark.parametrize(("reason", "address", "field"), [
    ("太短", ADDRESS, "reason"),
    ("", ADDRESS, "reason"),
    (None, ADDRESS, "reason"),
    ("我想试用这款面霜，认真写报告", {**ADDRESS, "phone": "123"}, "phone"),
    ("我想试用这款面霜，认真写报告", "nowhere", "address"),
])
def test_apply_bad_input_is_422_and_writes_nothing(trial, reason, address, field):
    with pytest.raises(ValidationFailed) as exc:
        services.apply(UserFactory(), trial, reason=reason, address=address)
    assert field in exc.value.fields
    assert TrialApplication.objects.count() == 0


def test_apply_needs_sign_in_and_a_live_trial(staff, brand, sku):
    from django.contrib.auth.models import AnonymousUser

    draft = new_trial(staff, brand, sku, start=False)
    with pytest.raises(NotAuthenticated):
        apply(AnonymousUser(), draft)
    with pytest.raises(Conflict) as exc:
        apply(UserFactory(), draft)
    assert exc.value.code == "campaign_draft"


def test_fans_only_trial_refuses_non_members(staff, brand, sku, community):
    trial = new_trial(staff, brand, sku, fans_only=True)
    with pytest.raises(PermissionDenied) as exc:
        apply(UserFactory(), trial)
    assert exc.value.code == "fans_only"
    member = UserFactory()
    community.members.create(user=member)
    assert apply(member, trial).state == A.APPLIED


def test_selected_user_gets_a_paid_zero_price_order_that_ships(trial, staff, sku):
    user = UserFactory()
    application = apply(user, trial)
    (selected,) = services.select(staff, trial, [application.pk])
    order = Order.objects.get(pk=selected.order_id)
    assert order.user == user and order.status == Order.Status.PAID
    assert order.total == Decimal("0.00") and order.paid_total == Decimal("0.00")
    assert (order.ship_name, order.ship_detail) == (ADDRESS["name"], ADDRESS["detail"])
    line = order.lines.get()
    assert (line.sku_id, line.quantity, line.unit_price, line.paid_amount) == (sku.pk, 1, Decimal("199.00"),
                                                                              Decimal("0.00"))
    assert list(LineAdjustment.objects.filter(line=line).values_list("code", "amount")) == [
        (trial.code, Decimal("199.00"))]
    sku.refresh_from_db()
    assert sku.stock == 49
    trial.refresh_from_db()
    assert trial.selected_count == 1
    ship_and_receive(staff, selected)
    selected.refresh_from_db()
    order.refresh_from_db()
    assert order.status == Order.Status.RECEIVED and selected.state == A.SHIPPED
    assert timedelta(days=7) - timedelta(seconds=5) < selected.report_due_at - timezone.now() <= timedelta(days=7)


def test_selecting_more_than_the_units_is_a_conflict(staff, brand, sku):
    trial = new_trial(staff, brand, sku, units=2)
    ids = [apply(UserFactory(), trial).pk for _ in range(3)]
    with pytest.raises(Conflict) as exc:
        services.select(staff, trial, ids)
    assert exc.value.code == "over_units"
    services.select(staff, trial, ids[:2])
    with pytest.raises(Conflict) as exc:
        services.select(staff, trial, ids[2:])
    assert exc.value.code == "over_units"
    with pytest.raises(Conflict):
        services.select_random(staff, trial, 1)
    trial.refresh_from_db()
    assert trial.selected_count == 2
    assert Order.objects.count() == 2
    assert TrialApplication.objects.filter(state=A.SELECTED).count() == 2


def test_selecting_twice_or_foreign_ids_changes_nothing(trial, staff, sku):
    application = apply(UserFactory(), trial)
    services.select(staff, trial, [application.pk])
    with pytest.raises(Conflict) as exc:
        services.select(staff, trial, [application.pk])
    assert exc.value.code == "not_applied"
    with pytest.raises(ValidationFailed):
        services.select(staff, trial, [])
    with pytest.raises(ValidationFailed):
        services.select(staff, trial, ["1"])
    trial.refresh_from_db()
    assert trial.selected_count == 1 and Order.objects.count() == 1


def test_only_brand_staff_select(trial):
    application = apply(UserFactory(), trial)
    with pytest.raises(PermissionDenied):
        services.select(UserFactory(), trial, [application.pk])
    with pytest.raises(PermissionDenied):
        services.select_random(UserFactory(), trial, 1)
    assert TrialApplication.objects.get().state == A.APPLIED


def test_random_selection_prefers_core_fans_and_is_recorded(staff, brand, sku, product, community):
    trial = new_trial(staff, brand, sku, units=5)
    core = [make_core(UserFactory(), community, product) for _ in range(2)]
    others = [UserFactory() for _ in range(6)]
    applications = {u.pk: apply(u, trial) for u in others + core}
    draw = services.select_random(staff, trial, 3)
    picked_users = set(TrialApplication.objects.filter(pk__in=draw.picked).values_list("user_id", flat=True))
    assert {u.pk for u in core} <= picked_users and len(picked_users) == 3
    assert draw.pool == sorted(a.pk for a in applications.values())
    assert draw.core == sorted(applications[u.pk].pk for u in core)
    assert draw.picked[:2] == [p for p in draw.picked if p in draw.core]
    # the draw is reproducible from its record
    assert services.draw_order(draw.pool, draw.core, draw.seed)[:3] == draw.picked
    assert set(TrialApplication.objects.filter(core_fan=True).values_list("user_id", flat=True)) == {
        u.pk for u in core}
    assert TrialDraw.objects.count() == 1


def test_random_selection_without_core_first_draws_from_everybody(staff, brand, sku, product, community):
    trial = new_trial(staff, brand, sku, units=5, core_fans_first=False)
    core = make_core(UserFactory(), community, product)
    for u in [core] + [UserFactory() for _ in range(4)]:
        apply(u, trial)
    draw = services.select_random(staff, trial, 2)
    assert draw.picked == services.draw_order(draw.pool, draw.core, draw.seed, core_first=False)[:2]


def test_random_draw_takes_only_whats_waiting(staff, brand, sku):
    trial = new_trial(staff, brand, sku, units=5)
    for _ in range(2):
        apply(UserFactory(), trial)
    draw = services.select_random(staff, trial, 4)
    assert len(draw.picked) == 2
    with pytest.raises(Conflict) as exc:
        services.select_random(staff, trial, 1)
    assert exc.value.code == "no_applicants"
    with pytest.raises(ValidationFailed):
        services.select_random(staff, trial, 0)


def test_report_before_the_deadline_marks_reported_and_badges_the_review(trial, staff, product):
    user = UserFactory()
    application = services.select(staff, trial, [apply(user, trial).pk])[0]
    ship_and_receive(staff, application)
    done = services.submit_report(user, trial, rating=5, text="保湿效果很好，第二天上妆不卡粉",
                                  images=[png_upload()])
    assert done.state == A.REPORTED and done.review.order_line.order_id == application.order_id
    assert done.review.images.count() == 1
    assert selectors.trial_review_ids(product) == {done.review_id}
    with pytest.raises(Conflict) as exc:
        services.submit_report(user, trial, rating=5, text="再写一次试试看", images=[png_upload()])
    assert exc.value.code == "already_reported"


def test_report_needs_a_photo_and_a_selected_applicant(trial, staff):
    user, other = UserFactory(), UserFactory()
    services.select(staff, trial, [apply(user, trial).pk])
    apply(other, trial)
    with pytest.raises(ValidationFailed) as exc:
        services.submit_report(user, trial, rating=5, text="没有照片的报告", images=[])
    assert exc.value.code == "report_needs_photos"
    with pytest.raises(Conflict) as exc:
        services.submit_report(other, trial, rating=5, text="我没有入选也想写", images=[png_upload()])
    assert exc.value.code == "not_selected"
    with pytest.raises(ValidationFailed):
        services.submit_report(user, trial, rating=9, text="评分不对的报告", images=[png_upload()])
    assert TrialApplication.objects.filter(state=A.REPORTED).count() == 0


def test_missed_deadline_is_a_no_show_and_the_ban_blocks_new_applications(trial, staff, brand, sku, settings):
    settings.TRIBE_TRIAL_BAN_DAYS = 30
    user = UserFactory()
    application = services.select(staff, trial, [apply(user, trial).pk])[0]
    ship_and_receive(staff, application)
    application.refresh_from_db()
    later = application.report_due_at + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert services.mark_no_shows() == {"reported": 0, "no_show": 1}
        assert services.mark_no_shows() == {"reported": 0, "no_show": 0}
        application.refresh_from_db()
        assert application.state == A.NO_SHOW and application.banned_until == later + timedelta(days=30)
        with pytest.raises(Conflict) as exc:
            services.submit_report(user, trial, rating=5, text="迟到的试用报告", images=[png_upload()])
        assert exc.value.code == "not_selected"
        fresh = new_trial(staff, brand, sku)
        with pytest.raises(PermissionDenied) as exc:
            apply(user, fresh)
        assert exc.value.code == "trial_banned"
    with time_machine.travel(later + timedelta(days=31), tick=False):
        fresh.ends_at = timezone.now() + timedelta(days=1)
        Trial.objects.filter(pk=fresh.pk).update(ends_at=fresh.ends_at)
        assert apply(user, fresh).state == A.APPLIED


def test_report_after_the_deadline_is_refused(trial, staff):
    user = UserFactory()
    application = services.select(staff, trial, [apply(user, trial).pk])[0]
    ship_and_receive(staff, application)
    application.refresh_from_db()
    with time_machine.travel(application.report_due_at + timedelta(seconds=1), tick=False):
        with pytest.raises(Conflict) as exc:
            services.submit_report(user, trial, rating=4, text="超时才写的报告", images=[png_upload()])
    assert exc.value.code == "report_deadline_passed"


def test_a_photo_review_from_the_order_page_counts_as_the_report(trial, staff):
    from tribe.content.services import create_review

    user = UserFactory()
    application = services.select(staff, trial, [apply(user, trial).pk])[0]
    ship_and_receive(staff, application)
    review = create_review(user, application.order.number, application.order.lines.get().pk, rating=5,
                           text="在订单页写的评价，也有图", images=[png_upload()])
    application.refresh_from_db()
    with time_machine.travel(application.report_due_at + timedelta(hours=1), tick=False):
        assert services.mark_no_shows() == {"reported": 1, "no_show": 0}
    application.refresh_from_db()
    assert application.state == A.REPORTED and application.review_id == review.pk


def test_fixed_report_date_leaves_a_grace_period_after_late_receipt(staff, brand, sku):
    deadline = timezone.now() + timedelta(days=5)
    trial = new_trial(staff, brand, sku, report_days=None, report_deadline=deadline)
    user = UserFactory()
    application = services.select(staff, trial, [apply(user, trial).pk])[0]
    ship_and_receive(staff, application)
    application.refresh_from_db()
    assert application.report_due_at == deadline
    with time_machine.travel(deadline + timedelta(days=1), tick=False):
        assert services.due_after_receipt(trial, timezone.now()) == timezone.now() + services.FIXED_DATE_GRACE


@pytest.mark.parametrize(("change", "field"), [
    ({"units": 0}, "units"),
    ({"sku_id": 999999}, "sku_id"),
    ({"report_days": None}, "report_days"),
    ({"report_days": 200}, "report_days"),
    ({"title": ""}, "title"),
    ({"report_days": None, "report_deadline": timezone.now()}, "report_deadline"),
])
def test_bad_trial_settings_are_422(staff, brand, sku, change, field):
    with pytest.raises(ValidationFailed) as exc:
        new_trial(staff, brand, sku, **change)
    assert field in exc.value.fields
    assert Trial.objects.count() == 0


def test_rejecting_the_rest(trial, staff):
    a, b = apply(UserFactory(), trial), apply(UserFactory(), trial)
    services.select(staff, trial, [a.pk])
    assert services.reject(staff, trial) == 1
    assert dict(TrialApplication.objects.values_list("pk", "state")) == {a.pk: A.SELECTED, b.pk: A.REJECTED}


def test_each_step_records_its_event_with_the_campaign(trial, staff):
    from tribe.core.models import Event

    user, late = UserFactory(), UserFactory()
    services.select(staff, trial, [apply(user, trial).pk])
    late_app = services.select(staff, trial, [apply(late, trial).pk])[0]
    services.submit_report(user, trial, rating=5, text="收到就写的试用报告", images=[png_upload()])
    ship_and_receive(staff, late_app)
    late_app.refresh_from_db()
    with time_machine.travel(late_app.report_due_at + timedelta(seconds=1), tick=False):
        services.mark_no_shows()
    rows = list(Event.objects.filter(name__startswith="trial_").order_by("pk").values_list("name", "actor_id"))
    assert rows == [("trial_apply", user.pk), ("trial_selected", staff.pk), ("trial_apply", late.pk),
                    ("trial_selected", staff.pk), ("trial_report", user.pk), ("trial_no_show", late.pk)]
    assert set(Event.objects.filter(name__startswith="trial_").values_list("campaign", flat=True)) <= {"", trial.code}
    assert all(p["campaign"] == trial.code for p in Event.objects.filter(name__startswith="trial_")
               .values_list("props", flat=True))


def test_no_applications_once_every_unit_is_given(staff, brand, sku):
    trial = new_trial(staff, brand, sku, units=1)
    services.select(staff, trial, [apply(UserFactory(), trial).pk])
    trial.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        apply(UserFactory(), trial)
    assert exc.value.code == "trial_full"


def test_the_trial_order_ships_free_even_where_the_store_charges_shipping(staff, brand, sku, store):
    from tribe.orders.models import ShippingMethod

    ShippingMethod.objects.create(store=store, code="standard", name="快递", fee=Decimal("12.00"))
    trial = new_trial(staff, brand, sku)
    (selected,) = services.select(staff, trial, [apply(UserFactory(), trial).pk])
    order = Order.objects.get(pk=selected.order_id)
    assert (order.subtotal, order.shipping_total, order.total, order.status) == (
        Decimal("199.00"), Decimal("0.00"), Decimal("0.00"), Order.Status.PAID)


def test_a_missed_deadline_bars_the_next_application_even_before_the_sweep(trial, staff, brand, sku):
    user = UserFactory()
    application = services.select(staff, trial, [apply(user, trial).pk])[0]
    ship_and_receive(staff, application)
    application.refresh_from_db()
    with time_machine.travel(application.report_due_at + timedelta(hours=1), tick=False):
        fresh = new_trial(staff, brand, sku)
        with pytest.raises(PermissionDenied) as exc:
            apply(user, fresh)
        assert exc.value.code == "trial_banned"
    application.refresh_from_db()
    assert application.state == A.NO_SHOW and TrialApplication.objects.filter(trial=fresh).count() == 0


def test_the_periodic_sweep_is_registered():
    from tribe.core.periodic import JOBS
    from tribe.trials.tasks import sweep_trials

    assert [j.task_path for j in JOBS if j.name == "trials.no_shows"] == ["tribe.trials.tasks.sweep_trials"]
    assert sweep_trials.call() == {"reported": 0, "no_show": 0}
