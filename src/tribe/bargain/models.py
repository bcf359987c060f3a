"""砍价 bargaining: a campaign offers one SKU down to a floor price; a user starts a bargain at the list price and
friends each help once, cutting the price until it reaches the floor exactly at the N-th help.

Tables:
- BargainCampaign (a Play): the SKU, floor, helps needed, hours per bargain, buy rule, new-user bonus, limits.
- Bargain: one user's attempt: a snapshot of the list price, the current price, helps done, deadline, state.
- BargainHelp: one friend's cut (unique per bargain and helper), in the order it landed.

Invariant (checked by the tests and the simulation): for every bargain, start_price − Σ cuts = current_price,
and current_price = floor exactly when helps_done = helps_needed (never before).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tribe.campaigns.models import Play


def money_field(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class BargainCampaign(Play):
    KIND = "bargain"

    class BuyRule(models.TextChoices):
        FLOOR = "floor", _("砍到底价才能购买")
        ANY = "any", _("砍到任意价格都可购买")

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    floor_price = money_field(verbose_name=_("底价"))
    helps_needed = models.PositiveSmallIntegerField(_("需要好友助力次数"))
    hours = models.PositiveSmallIntegerField(_("每次砍价时限（小时）"), default=24)
    buy_rule = models.CharField(max_length=10, choices=BuyRule.choices, default=BuyRule.FLOOR)
    # A helper counts as new when registered within `new_user_days` days (0: rule off) or, with
    # `new_user_no_order`, when they never paid an order. Their help draws with weight `new_user_weight`.
    new_user_days = models.PositiveSmallIntegerField(_("新用户：注册天数内"), default=7)
    new_user_no_order = models.BooleanField(_("新用户：从未下过付款订单"), default=True)
    new_user_weight = models.DecimalField(_("新用户助力权重"), max_digits=4, decimal_places=2, default=2)
    per_user_limit = models.PositiveSmallIntegerField(_("每人可发起次数"), default=1)
    helper_daily_limit = models.PositiveSmallIntegerField(_("每人每天可助力次数"), default=5)
    stock = models.PositiveIntegerField(_("可发起砍价总数（留空不限）"), null=True, blank=True)
    started = models.PositiveIntegerField(default=0)  # bargains started (the counter `stock` caps)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["brand", "status"], name="bargain_campaign_brand")]
        constraints = [
            models.CheckConstraint(condition=Q(floor_price__gte=0), name="bargain_floor_nonneg"),
            models.CheckConstraint(condition=Q(helps_needed__gte=1), name="bargain_helps_positive"),
            models.CheckConstraint(condition=Q(new_user_weight__gte=1), name="bargain_weight_ge_one"),
            models.CheckConstraint(condition=Q(stock__isnull=True) | Q(started__lte=F("stock")),
                                   name="bargain_started_le_stock"),
        ]


class Bargain(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("砍价中")
        REACHED = "reached", _("已砍到底价")
        BOUGHT = "bought", _("已下单")
        EXPIRED = "expired", _("已过期")

    campaign = models.ForeignKey(BargainCampaign, on_delete=models.CASCADE, related_name="bargains")
    initiator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bargains")
    start_price = money_field()
    floor_price = money_field()  # snapshot: editing the campaign never changes a running bargain's target
    helps_needed = models.PositiveSmallIntegerField()  # snapshot, as above
    current_price = money_field()
    helps_done = models.PositiveSmallIntegerField(default=0)
    deadline = models.DateTimeField(db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    bought_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["campaign", "initiator"], name="bargain_initiator"),
            models.Index(fields=["state", "deadline"], name="bargain_state_deadline"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(current_price__gte=F("floor_price")), name="bargain_above_floor"),
            models.CheckConstraint(condition=Q(current_price__lte=F("start_price")), name="bargain_below_start"),
            models.CheckConstraint(condition=Q(helps_done__lte=F("helps_needed")), name="bargain_helps_le_needed"),
        ]

    def __str__(self) -> str:
        return f"bargain {self.pk}"

    @property
    def cut_total(self):
        return self.start_price - self.current_price

    @property
    def progress(self) -> int:
        """Percent of the way from the start price to the floor (for the progress bar)."""
        whole = self.start_price - self.floor_price
        return 100 if whole <= 0 else int(self.cut_total * 100 / whole)

    @property
    def helps_left(self) -> int:
        return self.helps_needed - self.helps_done

    @property
    def shown_state(self) -> str:
        """The state a visitor sees: an overdue open/reached bargain is expired even before the sweep runs."""
        return self.State.EXPIRED if self.is_expired() else self.state

    def is_expired(self, now=None) -> bool:
        now = now or timezone.now()
        return self.state == self.State.EXPIRED or (self.state in (self.State.OPEN, self.State.REACHED)
                                                    and now >= self.deadline)


class BargainHelp(models.Model):
    bargain = models.ForeignKey(Bargain, on_delete=models.CASCADE, related_name="helps")
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bargain_helps")
    amount = money_field()
    seq = models.PositiveSmallIntegerField()  # 1 for the first help, helps_needed for the last
    new_user = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["helper", "created_at"], name="bargain_help_helper_day")]
        constraints = [
            models.UniqueConstraint(fields=["bargain", "helper"], name="bargain_help_once"),
            models.UniqueConstraint(fields=["bargain", "seq"], name="bargain_help_seq"),
            models.CheckConstraint(condition=Q(amount__gte="0.01"), name="bargain_help_cut_positive"),
        ]
