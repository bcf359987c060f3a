"""`tribe simulate` for 试用: a trial per brand; consumers apply (some twice: refused), the brand draws the
winners (core fans first), the zero-price orders ship and are received, most winners post a report with a
photo, and at the end the no-show sweep runs on the simulated calendar. See tribe.campaigns.simulation."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tribe.campaigns.simulation import ADDRESS, Sim
from tribe.core.errors import DomainError

SELECT_DAY = 2


def _photo() -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (230, 120, 90)).save(buf, "PNG")
    return SimpleUploadedFile("trial.png", buf.getvalue(), content_type="image/png")


def setup(sim: Sim) -> None:
    from tribe.campaigns.services import move

    from . import services

    now = timezone.now()
    state = sim.state.setdefault("trials", {"ids": [], "selected": False, "shipped": False, "reported": False})
    for brand in sim.brands:
        staff = sim.staff_of[brand.pk]
        for product in sim.products_of[brand.pk]:
            sku = product.skus.filter(is_active=True).first()
            if sku is None:
                continue
            try:
                trial = services.save_trial(staff, brand, title=f"{product.name[:60]} 免费试用", sku_id=sku.pk,
                                            units=sim.rng.randint(3, 6), starts_at=now - timedelta(hours=1),
                                            ends_at=now + timedelta(days=7), report_days=7, core_fans_first=True)
                move(staff, trial, "start")
            except DomainError as exc:
                sim.totals[f"trials_refused:{exc.code}"] += 1
                break
            state["ids"].append(trial.pk)
            sim.totals["trials_created"] += 1
            break


def _trials(sim: Sim):
    from .models import Trial

    return list(Trial.objects.filter(pk__in=sim.state["trials"]["ids"]).select_related("brand").order_by("pk"))


def _select(sim: Sim) -> None:
    from . import services

    for trial in _trials(sim):
        try:
            draw = services.select_random(sim.staff_of[trial.brand_id], trial, trial.units_left)
            sim.totals["trials_selected"] += len(draw.picked)
        except DomainError as exc:
            sim.totals[f"trials_refused:{exc.code}"] += 1
    sim.state["trials"]["selected"] = True


def _ship_and_receive(sim: Sim) -> None:
    from tribe.orders.services import confirm_receipt
    from tribe.orders.shipping import ship

    from .models import TrialApplication

    rows = TrialApplication.objects.filter(trial_id__in=sim.state["trials"]["ids"],
                                           state=TrialApplication.State.SELECTED).select_related("order", "trial")
    for application in rows:
        try:
            for so in application.order.store_orders.all():
                ship(sim.staff_of[application.trial.brand_id], so.pk, carrier="SF", tracking_number=f"SFT{so.pk:08d}")
            confirm_receipt(application.user, application.order_id)
            sim.totals["trials_received"] += 1
        except DomainError as exc:
            sim.totals[f"trials_refused:{exc.code}"] += 1
    sim.state["trials"]["shipped"] = True


def _report(sim: Sim) -> None:
    from . import services
    from .models import TrialApplication

    rows = TrialApplication.objects.filter(trial_id__in=sim.state["trials"]["ids"],
                                           state=TrialApplication.State.SHIPPED).select_related("trial", "user")
    for application in rows:
        if sim.rng.random() < 0.3:  # some never write: the sweep makes them no-shows
            continue
        try:
            services.submit_report(application.user, application.trial, rating=sim.rng.randint(3, 5),
                                   text="试用了一周，质地清爽，效果不错，推荐。", images=[_photo()])
            sim.totals["trials_reported"] += 1
        except DomainError as exc:
            sim.totals[f"trials_refused:{exc.code}"] += 1
    sim.state["trials"]["reported"] = True


def play_day(sim: Sim) -> None:
    from . import services

    state = sim.state.get("trials")
    if not state or not state["ids"]:
        return
    if sim.day < SELECT_DAY:
        for trial in _trials(sim):
            for user in sim.rng.sample(sim.consumers, min(len(sim.consumers), sim.rng.randint(2, 8))):
                try:
                    services.apply(user, trial, reason="想认真试用并写一篇详细的试用报告", address=ADDRESS,
                                   request=sim.request_for(user))
                    sim.totals["trials_applied"] += 1
                except DomainError as exc:  # already applied (a second day's pick), banned…
                    sim.totals[f"trials_refused:{exc.code}"] += 1
    elif sim.day == SELECT_DAY:
        _select(sim)
    elif sim.day == SELECT_DAY + 1:
        _ship_and_receive(sim)
    elif sim.day == SELECT_DAY + 2:
        _report(sim)


def finish(sim: Sim) -> None:
    from . import services

    state = sim.state.get("trials")
    if not state or not state["ids"]:
        return
    if not state["selected"]:
        _select(sim)
    if not state["shipped"]:
        _ship_and_receive(sim)
    if not state["reported"]:
        _report(sim)
    counts = services.mark_no_shows(sim.now_end)
    sim.totals["trials_no_show"] += counts["no_show"]


def check(sim: Sim) -> dict[str, bool]:
    from django.db.models import Count, F, Q

    from .models import Trial, TrialApplication

    A = TrialApplication.State
    trials = Trial.objects.annotate(given=Count("applications", filter=Q(applications__order__isnull=False)))
    never_over = all(t.selected_count <= t.units and t.given == t.selected_count for t in trials)
    banned_ok = not TrialApplication.objects.filter(state=A.NO_SHOW).filter(
        Q(banned_until__isnull=True) | Q(banned_until__lte=F("report_due_at"))).exists()
    reported_ok = not TrialApplication.objects.filter(state=A.REPORTED, review__isnull=True).exists()
    return {"trials_never_over_selected": never_over, "trials_no_shows_banned": banned_ok,
            "trials_reports_are_reviews": reported_ok}
