"""拼团 (group buying): a deal offers a product's SKUs at a group price; a buyer opens a group and friends join
through its share link; the group completes when every seat is paid, or fails at its deadline and every paid
member is refunded.

Honesty rules the tables enforce: a group's members are rows in GroupMember (never a number someone typed: no
模拟成团), `seats_taken` is a guarded counter that can never pass `size` (CHECK constraint + guarded UPDATE), and
a user holds at most one live seat per group (partial unique constraint; a member who left may come back).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tribe.campaigns.models import Play

ZERO = Decimal("0.00")


class GroupBuy(Play):
    KIND = "groupbuy"

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    group_size = models.PositiveSmallIntegerField(_("成团人数"), default=2)
    hours = models.PositiveSmallIntegerField(_("成团时限（小时）"), default=24)
    per_user_limit = models.PositiveSmallIntegerField(_("每人限购（份）"), default=1)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(group_size__gte=2, group_size__lte=50), name="groupbuy_size_range"),
            models.CheckConstraint(condition=Q(hours__gte=1, hours__lte=720), name="groupbuy_hours_range"),
            models.CheckConstraint(condition=Q(per_user_limit__gte=1), name="groupbuy_limit_pos"),
        ]
        indexes = [models.Index(fields=["brand", "status"], name="groupbuy_brand_status")]


class GroupBuySku(models.Model):
    """A SKU's group price in a deal; `leader_price` (optional) is what the opener (团长) pays instead."""

    deal = models.ForeignKey(GroupBuy, on_delete=models.CASCADE, related_name="skus")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(_("拼团价"), max_digits=12, decimal_places=2)
    leader_price = models.DecimalField(_("团长价"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "sku"], name="groupbuy_sku_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="groupbuy_sku_price_nonneg"),
            models.CheckConstraint(condition=Q(leader_price__isnull=True) | Q(leader_price__gte=0,
                                                                               leader_price__lte=F("price")),
                                   name="groupbuy_sku_leader_le_price"),
        ]

    def price_for(self, *, leader: bool) -> Decimal:
        return self.leader_price if leader and self.leader_price is not None else self.price


class Group(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("拼团中")
        COMPLETE = "complete", _("已成团")
        FAILED = "failed", _("未成团")

    deal = models.ForeignKey(GroupBuy, on_delete=models.CASCADE, related_name="groups")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    size = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    deadline = models.DateTimeField()
    # seats held by reserved (unpaid) or paid members; taken and given back only by guarded UPDATEs
    seats_taken = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    fail_reason = models.CharField(max_length=20, blank=True)  # deadline | ended | empty

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(seats_taken__lte=F("size")), name="group_seats_le_size"),
            models.CheckConstraint(condition=Q(size__gte=2), name="group_size_min"),
        ]
        indexes = [
            models.Index(fields=["state", "deadline"], name="group_state_deadline"),
            models.Index(fields=["deal", "state", "deadline"], name="group_deal_state"),
        ]

    @property
    def seats_left(self) -> int:
        return max(0, self.size - self.seats_taken)

    def is_expired(self, now=None) -> bool:
        return self.state == self.State.OPEN and self.deadline <= (now or timezone.now())


class GroupMember(models.Model):
    class State(models.TextChoices):
        RESERVED = "reserved", _("待付款")
        PAID = "paid", _("已付款")
        LEFT = "left", _("已退出")
        REFUNDED = "refunded", _("已退款")

    ACTIVE = (State.RESERVED, State.PAID)

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="group_member")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    is_leader = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RESERVED)
    joined_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], condition=Q(state__in=["reserved", "paid"]),
                                    name="group_member_unique_live"),
        ]
        indexes = [models.Index(fields=["group", "state"], name="group_member_state")]


class GroupBuyUsage(models.Model):
    """How many seats a user holds in a deal (reserved or paid), against `per_user_limit`: a guarded counter, so
    two tabs opening two groups at once cannot beat the limit."""

    deal = models.ForeignKey(GroupBuy, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    used = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deal", "user"], name="groupbuy_usage_unique")]
