"""试用 trials: a brand offers units of one SKU; signed-in users apply with a reason and an address; the brand
selects (by hand, or a recorded random draw with core fans first); each selected applicant gets a zero-price
order that ships, and owes a trial report (a review with photos on that order's line) by a deadline.

    applied ─select→ selected ─(order received)→ shipped ─report→ reported
       └─reject→ rejected          └────────── deadline passed, no report ─→ no_show (banned for a while)

`Trial.selected_count` is the guarded counter: it never exceeds `units` (a CHECK constraint backs the guarded
UPDATE in services). A no-show's ban is the `banned_until` timestamp on the application itself, so eligibility
is derived from rows, never a flag to keep in sync.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tribe.campaigns.models import Play

MIN_REASON = 10
MAX_REASON = 500
MAX_UNITS = 10_000
MAX_REPORT_DAYS = 90


class Trial(Play):
    KIND = "trials"

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    units = models.PositiveIntegerField(_("试用份数"))
    selected_count = models.PositiveIntegerField(default=0)
    # the report deadline: N days after the trial order is received, or one fixed date for everybody
    report_days = models.PositiveSmallIntegerField(_("收货后几天内提交报告"), null=True, blank=True)
    report_deadline = models.DateTimeField(_("报告截止时间"), null=True, blank=True)
    core_fans_first = models.BooleanField(_("核心粉丝优先"), default=True)
    fans_only = models.BooleanField(_("仅粉丝社区成员可申请"), default=False)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(units__gte=1), name="trial_units_positive"),
            models.CheckConstraint(condition=Q(selected_count__lte=F("units")), name="trial_never_over_selected"),
            models.CheckConstraint(
                condition=(Q(report_days__isnull=False, report_deadline__isnull=True)
                           | Q(report_days__isnull=True, report_deadline__isnull=False)),
                name="trial_one_report_deadline_rule"),
        ]
        indexes = [models.Index(fields=["brand", "status"], name="trial_brand_status"),
                   models.Index(fields=["status", "ends_at"], name="trial_open")]

    @property
    def product(self):
        return self.sku.product

    @property
    def units_left(self) -> int:
        return self.units - self.selected_count


class TrialApplication(models.Model):
    class State(models.TextChoices):
        APPLIED = "applied", _("已申请")
        SELECTED = "selected", _("已入选")
        REJECTED = "rejected", _("未入选")
        SHIPPED = "shipped", _("已收货")
        REPORTED = "reported", _("已提交报告")
        NO_SHOW = "no_show", _("未按时提交报告")

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="applications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trial_applications")
    reason = models.TextField(_("申请理由"), max_length=MAX_REASON)
    address = models.JSONField(default=dict)  # a snapshot (name, phone, province, city, district, detail)
    state = models.CharField(max_length=10, choices=State.choices, default=State.APPLIED)
    core_fan = models.BooleanField(default=False)  # the applicant's tier when selected (shown to the brand)
    order = models.OneToOneField("orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    review = models.OneToOneField("content.Review", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="trial_application")
    selected_at = models.DateTimeField(null=True, blank=True)
    report_due_at = models.DateTimeField(null=True, blank=True)  # absolute; None until known (days after receipt)
    reported_at = models.DateTimeField(null=True, blank=True)
    banned_until = models.DateTimeField(null=True, blank=True)  # set when marked no_show
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "user"], name="trial_apply_once"),
        ]
        indexes = [models.Index(fields=["trial", "state"], name="trial_app_state"),
                   models.Index(fields=["state", "report_due_at"], name="trial_app_due"),
                   models.Index(fields=["user", "banned_until"], name="trial_app_ban")]

    @property
    def owes_report(self) -> bool:
        return self.state in (self.State.SELECTED, self.State.SHIPPED)


class TrialDraw(models.Model):
    """The audit record of one random selection: who drew, the seed (from secrets.SystemRandom), the eligible
    pool and its core fans, and who was picked. Re-running `services.draw_order(pool, core, seed)` gives the
    same order, so anyone can check the draw."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="draws")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    seed = models.CharField(max_length=64)
    requested = models.PositiveIntegerField()
    pool = models.JSONField(default=list)  # application ids, ascending
    core = models.JSONField(default=list)  # application ids of core fans in the pool, ascending
    picked = models.JSONField(default=list)  # application ids, in draw order
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
