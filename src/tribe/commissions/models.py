"""The commission ledger (佣金账本): append-only entries that move money between buckets, and payout requests.

A promoter's money sits in five buckets: pending (order paid) → frozen (received, held for the after-sales
window) → available → withdrawing (payout requested) → withdrawn. Every change is a new LedgerEntry carrying
signed per-bucket deltas that sum to the change's effect; a balance is always the sum of the entries (see
selectors.balance). Entries are never updated or deleted: a reversal is a new entry. `available` may go
negative — that is a debt (a refund after the money was withdrawn), repaid by later releases.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

BUCKETS = ("pending", "frozen", "available", "withdrawing", "withdrawn")
ZERO = Decimal("0.00")


def _delta():
    return models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)


class AppendOnly(Exception):
    """Raised when code tries to change or delete a ledger entry."""


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("ledger entries are append-only")

    def delete(self):
        raise AppendOnly("ledger entries are append-only")

    # bulk_update goes through update(); bulk_create is allowed (it only inserts)


class Payout(models.Model):
    """A withdrawal request and what became of it. The money itself moves only through ledger entries."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("待审核")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已拒绝")
        PAID = "paid", _("已打款")

    class Method(models.TextChoices):
        DUMMY = "dummy", _("模拟打款")

    promoter = models.ForeignKey("distribution.Promoter", on_delete=models.PROTECT, related_name="payouts")
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.DUMMY)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    reference = models.CharField(max_length=64, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_amount_positive")]
        indexes = [models.Index(fields=["brand", "state"], name="payout_brand_state")]


class LedgerEntry(models.Model):
    class Kind(models.TextChoices):
        ACCRUE = "accrue", _("订单支付，佣金待结算")
        FREEZE = "freeze", _("确认收货，售后期冻结")
        RELEASE = "release", _("售后期结束，佣金可提现")
        REVERSE = "reverse", _("退款冲减")
        WITHDRAW_REQUEST = "withdraw_request", _("申请提现")
        WITHDRAW_REJECT = "withdraw_reject", _("提现被拒，退回可提现")
        WITHDRAW_PAID = "withdraw_paid", _("提现已打款")
        CONVERT = "convert", _("已兑换为积分/优惠券/赠品")

    promoter = models.ForeignKey("distribution.Promoter", on_delete=models.PROTECT, related_name="ledger")
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    attribution = models.ForeignKey("distribution.LineAttribution", on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="ledger")
    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, null=True, blank=True, related_name="entries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reward_kind = models.CharField(max_length=10, default="cash")  # PromoterProgram.RewardKind at accrual
    d_pending = _delta()
    d_frozen = _delta()
    d_available = _delta()
    d_withdrawing = _delta()
    d_withdrawn = _delta()
    refund_amount = _delta()  # REVERSE: the refunded line money this reversal answers for
    frozen_until = models.DateTimeField(null=True, blank=True)  # FREEZE: when the after-sales window ends
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["promoter", "created_at"], name="ledger_promoter_time"),
            models.Index(fields=["kind", "frozen_until"], name="ledger_kind_frozen_until"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("ledger entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("ledger entries are append-only")

    def deltas(self) -> dict[str, Decimal]:
        return {b: getattr(self, f"d_{b}") for b in BUCKETS}

    @property
    def amount(self) -> Decimal:
        """The size of the move, for display: the largest absolute bucket delta."""
        return max((abs(v) for v in self.deltas().values()), default=ZERO)
