"""会员积分与等级: an append-only points ledger with expiring lots, daily sign-ins, member tiers and tier prices.

The ledger. Every change of a user's points is a PointsEntry (signed `points`, a kind, a reason and a `ref` to
what caused it). Positive entries (earn, refund) are *lots*: each has an `expires_at`. Negative entries (spend,
reverse, expire) say which lots they consumed through PointsAllocation rows, oldest-expiring lot first, so a
lot's remaining points are `lot.points - sum(allocations)`, and

    sum(all entries) == sum(remaining of all lots)
    balance(now)     == sum(remaining of lots not expired at `now`)

A lot that expires is written off by an `expire` entry (the periodic expire_points job); until the job runs,
reads already leave expired lots out (tribe.loyalty.services.balance), so an expired point is never counted or
spent. Entries and allocations are never updated or deleted: a reversal is a new entry.

Tiers are platform-wide rows (普通会员/银卡/金卡/黑金); a user's tier is computed on every read from paid orders
(trailing window) and the ledger (lifetime points earned) — never stored. TierPrice rows are a brand's member
prices per SKU.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """Raised when code tries to change or delete a ledger row."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("points ledger rows are append-only")

    def delete(self):
        raise AppendOnly("points ledger rows are append-only")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("points ledger rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("points ledger rows are append-only")


class PointsAccount(models.Model):
    """One row per user that has ever had points: the row every ledger write locks (select_for_update), so
    two spends of the same balance run one after the other. It holds no number: the balance is the ledger."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="points_account")
    created_at = models.DateTimeField(default=timezone.now)


REASON_LABELS = {
    "order": _("购物"), "sign_in": _("签到"), "review": _("晒图评价"), "answer": _("回答问题"),
    "checkout": _("下单抵扣"), "order_cancelled": _("订单取消，退回"), "line_refunded": _("退款"),
    "expire": _("过期"), "lottery": _("抽奖"), "lottery_entry": _("抽奖报名"), "referral": _("邀请奖励"),
}


class PointsEntry(AppendOnlyModel):
    class Kind(models.TextChoices):
        EARN = "earn", _("获得")
        SPEND = "spend", _("抵扣")
        REFUND = "refund", _("退回")
        REVERSE = "reverse", _("扣回")
        EXPIRE = "expire", _("过期")

    LOT_KINDS = (Kind.EARN, Kind.REFUND)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="points_entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    points = models.IntegerField()
    reason = models.CharField(max_length=40)  # order, sign_in, review, answer, lottery, checkout, refund…
    ref = models.CharField(max_length=80)  # what caused it: "store_order:12", "order_spend:7", "lot:55"…
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)  # lots only
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("积分流水")
        verbose_name_plural = _("积分流水")
        constraints = [
            # idempotency: one credit per ref, one spend per ref, one write-off per lot
            models.UniqueConstraint(fields=["kind", "ref"], condition=models.Q(kind__in=["earn", "spend", "expire"]),
                                    name="points_entry_once_per_ref"),
            models.CheckConstraint(
                condition=(models.Q(kind__in=["earn", "refund"], points__gt=0)
                           | models.Q(kind__in=["spend", "reverse", "expire"], points__lt=0)),
                name="points_entry_sign_by_kind"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="points_user_time"),
            models.Index(fields=["user", "expires_at"], name="points_user_expiry"),
            models.Index(fields=["kind", "reason", "user", "created_at"], name="points_kind_reason"),
            models.Index(fields=["ref"], name="points_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.points:+d} {self.ref}"

    @property
    def reason_label(self) -> str:
        return str(REASON_LABELS.get(self.reason, self.reason))


class PointsAllocation(AppendOnlyModel):
    """`points` of lot `lot` were consumed by the negative entry `debit` (FIFO by expiry)."""

    debit = models.ForeignKey(PointsEntry, on_delete=models.PROTECT, related_name="allocations")
    lot = models.ForeignKey(PointsEntry, on_delete=models.PROTECT, related_name="consumed_by")
    points = models.PositiveIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(points__gt=0), name="points_allocation_positive")]


class SignIn(models.Model):
    """签到: one per user per Asia/Shanghai calendar day — the unique constraint makes a double tap safe."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_ins")
    day = models.DateField()
    streak = models.PositiveIntegerField(default=1)
    points = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="sign_in_once_a_day")]


class Tier(models.Model):
    """A platform-wide member tier (the tier policy), set by operators in the Django admin. A user holds the
    highest active tier whose spend threshold (paid in the trailing window) OR points threshold (lifetime
    points earned) they reach; a threshold left empty is not a way into that tier. Rank 0 is everyone's."""

    name = models.CharField(_("等级名称"), max_length=20)
    rank = models.PositiveSmallIntegerField(_("等级序号"), unique=True)
    min_spend = models.DecimalField(_("近 12 个月消费门槛"), max_digits=12, decimal_places=2, null=True, blank=True)
    min_points = models.PositiveIntegerField(_("累计获得积分门槛"), null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("会员等级")
        verbose_name_plural = _("会员等级")
        constraints = [models.CheckConstraint(condition=models.Q(min_spend__isnull=True) | models.Q(min_spend__gte=0),
                                              name="tier_min_spend_nonneg")]

    def __str__(self) -> str:
        return self.name


class TierPrice(models.Model):
    """A member price for one SKU and one tier, set by the brand (会员价). Members of that tier or higher pay
    the lowest price of their tiers, on lines that carry no play price."""

    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="tier_prices")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="prices")
    price = models.DecimalField(max_digits=12, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["sku_id", "tier__rank"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "tier"], name="tier_price_once"),
            models.CheckConstraint(condition=models.Q(price__gte=Decimal("0")), name="tier_price_nonneg"),
        ]
