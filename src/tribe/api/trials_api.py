"""API of 试用 trials: open trials, apply, my trials; the brand's trials, applicants and selection."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.responses import Status

from tribe.brands.models import Brand
from tribe.brands.selectors import require_brand_staff
from tribe.campaigns.services import move
from tribe.core.errors import ValidationFailed
from tribe.trials import selectors, services
from tribe.trials.models import Trial, TrialApplication

from .auth import OPTIONAL, REQUIRED
from .common import actor, by_id, by_slug
from .order_schemas import AddressIn
from .pagination import Page, PageQuery, paginate
from .schemas import In

router = Router(tags=["trials"])
States = Literal["applied", "selected", "rejected", "shipped", "reported", "no_show"]


class TrialOut(Schema):
    id: int
    code: str
    title: str
    description: str
    brand: str
    product_id: int
    product_name: str
    sku_id: int
    sku_label: str
    list_price: str
    units: int
    units_left: int
    applicants: int
    status: str
    phase: str
    starts_at: datetime
    ends_at: datetime
    report_days: int | None
    report_deadline: datetime | None
    core_fans_first: bool
    fans_only: bool
    url: str
    share_url: str


class ApplicationOut(Schema):
    id: int
    trial_id: int
    state: str
    reason: str
    core_fan: bool
    order: str | None
    report_due_at: datetime | None
    reported_at: datetime | None
    review_id: int | None
    banned_until: datetime | None
    created_at: datetime


class MyTrialOut(Schema):
    trial: TrialOut
    application: ApplicationOut


class TrialDetailOut(TrialOut):
    me: ApplicationOut | None
    banned_until: datetime | None


class ApplyIn(In):
    reason: str = Field(description="why you want to try it (10–500 characters)")
    address: AddressIn | None = Field(None, description="where the trial unit ships")
    address_id: int | None = Field(None, description="or one of your saved addresses")


class ApplicantOut(ApplicationOut):
    user_id: int
    user: str
    tier: str | None = Field(description="fan tier now: core | active | regular; null for non-members")
    address: dict


class ApplicantQuery(PageQuery):
    state: States | None = None


class SelectIn(In):
    ids: list[int] | None = Field(None, description="application ids ticked by the brand")
    random: int | None = Field(None, description="or: draw this many at random (core fans first)")


class DrawOut(Schema):
    id: int
    seed: str
    requested: int
    pool: list[int]
    core: list[int]
    picked: list[int]
    created_at: datetime


class SelectOut(Schema):
    selected: list[ApplicationOut]
    draw: DrawOut | None
    units_left: int


class TrialIn(In):
    title: str
    description: str = ""
    sku_id: int
    units: int
    starts_at: datetime = Field(strict=False, description="ISO 8601 with a time zone")
    ends_at: datetime = Field(strict=False, description="ISO 8601 with a time zone")
    report_days: int | None = Field(None, description="days after receipt to post the report")
    report_deadline: datetime | None = Field(None, strict=False, description="or one fixed date")
    core_fans_first: bool = True
    fans_only: bool = False


class MoveIn(In):
    action: Literal["start", "pause", "resume", "end"]


def _trial_out(request, t: Trial) -> dict:
    product = t.sku.product
    return {"id": t.pk, "code": t.code, "title": t.title, "description": t.description, "brand": t.brand.name,
            "product_id": product.pk, "product_name": product.name, "sku_id": t.sku_id, "sku_label": t.sku.label,
            "list_price": f"{t.sku.price:.2f}", "units": t.units, "units_left": t.units_left,
            "applicants": getattr(t, "applicants", 0), "status": t.status, "phase": t.phase,
            "starts_at": t.starts_at, "ends_at": t.ends_at, "report_days": t.report_days,
            "report_deadline": t.report_deadline, "core_fans_first": t.core_fans_first, "fans_only": t.fans_only,
            "url": request.build_absolute_uri(reverse("web:trial", args=[t.pk])),
            "share_url": request.build_absolute_uri(reverse("web:share", args=["trial", t.pk]))}


def _app_out(a: TrialApplication) -> dict:
    return {"id": a.pk, "trial_id": a.trial_id, "state": a.state, "reason": a.reason, "core_fan": a.core_fan,
            "order": a.order.number if a.order_id else None, "report_due_at": a.report_due_at,
            "reported_at": a.reported_at, "review_id": a.review_id, "banned_until": a.banned_until,
            "created_at": a.created_at}


def _trial(pk: int) -> Trial:
    trial = selectors.public_trial(pk)
    if trial is None:
        by_id(Trial.objects.none(), pk, "trial")  # raises the 404 in the error shape
    return trial


@router.get("/trials", response=Page[TrialOut], auth=OPTIONAL, summary="Open trials (live or upcoming)")
def list_trials(request, params: Query[PageQuery]):
    page = paginate(selectors.open_trials(), params)
    page["items"] = [_trial_out(request, t) for t in page["items"]]
    return page


@router.get("/trials/{int:trial_id}", response=TrialDetailOut, auth=OPTIONAL,
            summary="A trial, with my application when signed in")
def get_trial(request, trial_id: int):
    trial = _trial(trial_id)
    user = actor(request)
    mine = services.my_application(user, trial)
    return {**_trial_out(request, trial), "me": _app_out(mine) if mine else None,
            "banned_until": services.banned_until(user)}


@router.post("/trials/{int:trial_id}/apply", response={201: ApplicationOut}, auth=REQUIRED,
             summary="Apply with a reason and an address (once per trial)")
def apply(request, trial_id: int, payload: ApplyIn):
    trial = _trial(trial_id)
    if (payload.address is None) == (payload.address_id is None):
        raise ValidationFailed("give address or address_id", fields={"address": "required"})
    application = services.apply(request.user, trial, reason=payload.reason,
                                 address=payload.address.model_dump() if payload.address else None,
                                 address_id=payload.address_id, request=request)
    return Status(201, _app_out(application))


@router.post("/trials/{int:trial_id}/report", response={201: ApplicationOut}, auth=REQUIRED,
             summary="Post my trial report (multipart: rating, text, images — at least one photo)")
def report(request, trial_id: int, rating: Form[int], text: Form[str], images: File[list[UploadedFile]] = None):
    """A review with photos on the trial order's line, before the report deadline. 409 when not selected,
    already reported or past the deadline; 422 without a photo or with a bad rating/text."""
    trial = _trial(trial_id)
    application = services.submit_report(request.user, trial, rating=rating, text=text, images=images or [],
                                         request=request)
    return Status(201, _app_out(application))


@router.get("/me/trials", response=list[MyTrialOut], auth=REQUIRED, summary="My trial applications")
def my_trials(request):
    rows = (TrialApplication.objects.filter(user=request.user)
            .select_related("order", "trial", "trial__brand", "trial__sku", "trial__sku__product")
            .order_by("-id")[:100])
    return [{"trial": _trial_out(request, a.trial), "application": _app_out(a)} for a in rows]


# ---- console ----------------------------------------------------------------------------------------------

def _brand(request, slug: str) -> Brand:
    brand = by_slug(Brand.objects.all(), slug, "brand")
    require_brand_staff(request.user, brand.pk)
    return brand


def _brand_trial(request, slug: str, trial_id: int) -> Trial:
    brand = _brand(request, slug)
    return by_id(selectors.brand_trials(brand).select_related("brand"), trial_id, "trial")


@router.get("/console/brands/{slug}/trials", response=Page[TrialOut], auth=REQUIRED, tags=["console"],
            summary="The brand's trials")
def console_trials(request, slug: str, params: Query[PageQuery]):
    page = paginate(selectors.brand_trials(_brand(request, slug)).select_related("brand"), params)
    page["items"] = [_trial_out(request, t) for t in page["items"]]
    return page


@router.post("/console/brands/{slug}/trials", response={201: TrialOut}, auth=REQUIRED, tags=["console"],
             summary="Create a draft trial")
def console_create(request, slug: str, payload: TrialIn):
    trial = services.save_trial(request.user, _brand(request, slug), **payload.model_dump())
    return Status(201, _trial_out(request, trial))


@router.put("/console/brands/{slug}/trials/{int:trial_id}", response=TrialOut, auth=REQUIRED, tags=["console"],
            summary="Edit a trial that has not ended")
def console_edit(request, slug: str, trial_id: int, payload: TrialIn):
    trial = _brand_trial(request, slug, trial_id)
    trial = services.save_trial(request.user, trial.brand, trial=trial, **payload.model_dump())
    return _trial_out(request, _brand_trial(request, slug, trial.pk))


@router.post("/console/brands/{slug}/trials/{int:trial_id}/move", response=TrialOut, auth=REQUIRED,
             tags=["console"], summary="start | pause | resume | end")
def console_move(request, slug: str, trial_id: int, payload: MoveIn):
    trial = _brand_trial(request, slug, trial_id)
    move(request.user, trial, payload.action, request=request)
    return _trial_out(request, _brand_trial(request, slug, trial.pk))


@router.get("/console/brands/{slug}/trials/{int:trial_id}/applicants", response=Page[ApplicantOut],
            auth=REQUIRED, tags=["console"], summary="A trial's applicants with their fan tier")
def console_applicants(request, slug: str, trial_id: int, params: Query[ApplicantQuery]):
    trial = _brand_trial(request, slug, trial_id)
    page = paginate(selectors.applicants(trial, params.state), params)
    tiers = selectors.tiers_of(trial, [a.user_id for a in page["items"]])
    page["items"] = [{**_app_out(a), "user_id": a.user_id, "user": a.user.display_name,
                      "tier": tiers.get(a.user_id), "address": a.address} for a in page["items"]]
    return page


@router.post("/console/brands/{slug}/trials/{int:trial_id}/select", response=SelectOut, auth=REQUIRED,
             tags=["console"], summary='Select applicants: {"ids": [...]} or {"random": n}')
def console_select(request, slug: str, trial_id: int, payload: SelectIn):
    trial = _brand_trial(request, slug, trial_id)
    if (payload.ids is None) == (payload.random is None):
        raise ValidationFailed('give "ids" or "random"', fields={"ids": "one of ids, random"})
    draw = None
    if payload.ids is not None:
        chosen = services.select(request.user, trial, payload.ids, request=request)
    else:
        draw = services.select_random(request.user, trial, payload.random, request=request)
        chosen = list(TrialApplication.objects.filter(pk__in=draw.picked).select_related("order"))
    trial.refresh_from_db(fields=["selected_count"])
    return {"selected": [_app_out(a) for a in chosen], "units_left": trial.units_left,
            "draw": None if draw is None else {"id": draw.pk, "seed": draw.seed, "requested": draw.requested,
                                               "pool": draw.pool, "core": draw.core, "picked": draw.picked,
                                               "created_at": draw.created_at}}
