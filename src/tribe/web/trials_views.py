"""Public pages of 试用 trials: open trials, a trial (apply with a reason and an address, my state, the report
deadline countdown, the report form, share), and my trials. Writes call tribe.trials.services, the same
functions the API calls."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tribe.core.errors import DomainError
from tribe.orders.models import Address
from tribe.trials import selectors, services
from tribe.trials.models import MAX_REASON, MIN_REASON, TrialApplication

from .order_forms import describe

ADDRESS_FIELDS = ("name", "phone", "province", "city", "district", "detail")
MESSAGES = {
    "already_applied": gettext_lazy("你已经申请过这个试用了"),
    "trial_full": gettext_lazy("试用名额已全部发放"),
    "trial_banned": gettext_lazy("你有试用报告逾期未交，暂时不能申请试用"),
    "fans_only": gettext_lazy("这个试用仅限品牌粉丝社区成员申请"),
    "campaign_ended": gettext_lazy("申请已截止"),
    "campaign_upcoming": gettext_lazy("申请还没开始"),
    "campaign_paused": gettext_lazy("活动已暂停"),
    "report_needs_photos": gettext_lazy("试用报告需要至少一张图片"),
    "report_deadline_passed": gettext_lazy("报告提交已截止"),
    "already_reported": gettext_lazy("你已经提交过试用报告了"),
    "not_selected": gettext_lazy("只有入选的用户需要提交试用报告"),
}


def _describe(error: DomainError) -> str:
    if error.code in MESSAGES:
        return str(MESSAGES[error.code])
    if "reason" in error.fields:
        return _("申请理由请写 %(a)s–%(b)s 个字") % {"a": MIN_REASON, "b": MAX_REASON}
    return describe(error)


def _trial_or_404(trial_id: int):
    trial = selectors.public_trial(trial_id)
    if trial is None:
        raise Http404(_("试用活动不存在"))
    return trial


@require_GET
def trial_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/trials/list.html", {"trials": selectors.open_trials()[:60]})


def _detail(request, trial, *, error: str = "", status: int = 200, form: dict | None = None) -> HttpResponse:
    user = request.user
    mine = services.my_application(user, trial)
    now = timezone.now()
    context = {
        "trial": trial, "product": trial.sku.product, "mine": mine, "error": error, "form": form or {},
        "banned_until": services.banned_until(user) if mine is None else None,
        "addresses": list(Address.objects.filter(user=user).order_by("-is_default", "-id")[:10])
        if user.is_authenticated and mine is None else [],
        "to_end": max(0, int((trial.ends_at - now).total_seconds())),
        "to_start": max(0, int((trial.starts_at - now).total_seconds())),
        "to_due": max(0, int((mine.report_due_at - now).total_seconds())) if mine and mine.report_due_at else None,
        "can_report": mine is not None and mine.state in services.OPEN_FOR_REPORT
        and (mine.report_due_at is None or mine.report_due_at > now),
        "reports": selectors.reports(trial).filter(state=TrialApplication.State.REPORTED)[:20],
        "address_fields": ADDRESS_FIELDS,
    }
    return render(request, "web/trials/detail.html", context, status=status)


@require_GET
def trial_detail(request: HttpRequest, trial_id: int) -> HttpResponse:
    return _detail(request, _trial_or_404(trial_id))


@login_required
@require_POST
def trial_apply(request: HttpRequest, trial_id: int) -> HttpResponse:
    trial = _trial_or_404(trial_id)
    raw_id = request.POST.get("address_id", "")
    address_id = int(raw_id) if raw_id.isdigit() and len(raw_id) < 19 else None
    address = None if address_id else {f: request.POST.get(f, "") for f in ADDRESS_FIELDS}
    try:
        services.apply(request.user, trial, reason=request.POST.get("reason", ""), address=address,
                       address_id=address_id, request=request)
    except DomainError as error:
        return _detail(request, trial, error=_describe(error), status=error.status, form=request.POST.dict())
    messages.success(request, _("申请已提交，入选后会为你生成 0 元试用订单"))
    return redirect("web:trial", trial.pk)


@login_required
@require_POST
def trial_report(request: HttpRequest, trial_id: int) -> HttpResponse:
    trial = _trial_or_404(trial_id)
    raw = request.POST.get("rating", "")
    rating = int(raw) if raw.isdigit() and len(raw) < 3 else None
    try:
        services.submit_report(request.user, trial, rating=rating, text=request.POST.get("text", ""),
                               images=request.FILES.getlist("images"), request=request)
    except DomainError as error:
        return _detail(request, trial, error=_describe(error), status=error.status, form=request.POST.dict())
    messages.success(request, _("试用报告已发布，会带“试用报告”标识显示在商品页"))
    return redirect("web:trial", trial.pk)


@login_required
@require_GET
def my_trials(request: HttpRequest) -> HttpResponse:
    rows = (TrialApplication.objects.filter(user=request.user)
            .select_related("trial", "trial__sku", "trial__sku__product", "order").order_by("-id")[:100])
    return render(request, "web/trials/mine.html", {"rows": rows, "banned_until": services.banned_until(request.user)})
