"""抽奖 (lottery): a brand's prize draw with published odds, honest stock and an audit trail.

- Lottery: the play (tribe.campaigns.models.Play) with its entry modes — by points (`points_cost` per draw), by a
  paid order of the brand (≥ `order_min_amount` grants `chances_per_order` chances), by a share (one chance per
  day) — and per-user draw limits per day / in total.
- Prize: what can be won (coupon, points, goods, or "谢谢参与"), with stock and a weight. Odds are published from
  the configuration (see `Lottery.odds_total`).
- Chance: chances granted by a paid order or a share, consumed one per draw with a guarded UPDATE.
- Entrant: one row per (lottery, user): the draw counters the limits check, locked while a draw runs.
- Draw: every draw, winning or not, with the random number drawn and the prize stock before/after — the audit.

Coupon templates live in tribe.coupons (written alongside this app): a prize keeps the template's id as a
plain column so this app's tables do not depend on that app's migrations; the id is validated when the prize is
saved and the template itself is resolved by tribe.coupons.services.grant when a coupon is won.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tribe.campaigns.models import Play

PERMILLE = 1000


class Lottery(Play):
    KIND = "lottery"

    class Odds(models.TextChoices):
        WEIGHT = "weight", _("按权重（各奖项权重之和为分母）")
        PERMILLE = "permille", _("按千分比（不足 1000‰ 的部分为谢谢参与）")

    odds_mode = models.CharField(_("概率方式"), max_length=10, choices=Odds.choices, default=Odds.PERMILLE)
    points_cost = models.PositiveIntegerField(_("每次消耗积分"), default=0)  # 0: no entry by points
    order_min_amount = models.DecimalField(_("订单满额送抽奖"), max_digits=12, decimal_places=2, null=True,
                                           blank=True)  # None: no entry by order
    chances_per_order = models.PositiveSmallIntegerField(_("每单赠送次数"), default=1)
    share_enabled = models.BooleanField(_("分享得抽奖机会（每天一次）"), default=False)
    daily_limit = models.PositiveSmallIntegerField(_("每人每天最多抽"), default=0)  # 0: no limit
    total_limit = models.PositiveSmallIntegerField(_("每人累计最多抽"), default=0)  # 0: no limit
    claim_days = models.PositiveSmallIntegerField(_("实物奖品领取期限（天）"), default=7)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["brand", "status"], name="lottery_brand_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="lottery_window"),
            models.CheckConstraint(condition=models.Q(order_min_amount__isnull=True)
                                   | models.Q(order_min_amount__gt=0), name="lottery_order_min_pos"),
        ]

    @property
    def entries(self) -> list[str]:
        """The entry modes this lottery accepts."""
        modes = []
        if self.points_cost > 0:
            modes.append("points")
        if self.order_min_amount is not None:
            modes.append("order")
        if self.share_enabled:
            modes.append("share")
        return modes


class Prize(models.Model):
    class Kind(models.TextChoices):
        COUPON = "coupon", _("优惠券")
        POINTS = "points", _("积分")
        GOODS = "goods", _("实物")
        NONE = "none", _("谢谢参与")

    lottery = models.ForeignKey(Lottery, on_delete=models.CASCADE, related_name="prizes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(_("奖品名称"), max_length=60)
    coupon_template_id = models.PositiveBigIntegerField(null=True, blank=True)  # tribe.coupons CouponTemplate
    points = models.PositiveIntegerField(default=0)
    sku = models.ForeignKey("catalog.Sku", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveIntegerField(_("权重 / 千分比"))
    # stock: what is left; initial_stock: everything ever put in (restocks add to both), so
    # given = initial_stock - stock at any time. A "none" prize has no stock (never runs out).
    initial_stock = models.PositiveIntegerField(default=0)
    stock = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(stock__lte=models.F("initial_stock")),
                                   name="prize_stock_le_initial"),
            models.CheckConstraint(condition=models.Q(weight__gte=1), name="prize_weight_pos"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def given(self) -> int:
        return self.initial_stock - self.stock


class Chance(models.Model):
    """Chances to draw granted by a paid order ("order:<id>") or a share ("share:<local date>")."""

    class Source(models.TextChoices):
        ORDER = "order", _("订单赠送")
        SHARE = "share", _("分享赠送")

    lottery = models.ForeignKey(Lottery, on_delete=models.CASCADE, related_name="chances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    ref = models.CharField(max_length=40)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    granted = models.PositiveSmallIntegerField()
    used = models.PositiveSmallIntegerField(default=0)
    voided_at = models.DateTimeField(null=True, blank=True)  # the order was refunded in full: unused ones are void
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["lottery", "user", "ref"], name="lottery_chance_once"),
            models.CheckConstraint(condition=models.Q(used__lte=models.F("granted")), name="chance_used_le_granted"),
        ]
        indexes = [models.Index(fields=["lottery", "user", "source"], name="lottery_chance_user")]

    @property
    def left(self) -> int:
        return 0 if self.voided_at else self.granted - self.used


class Entrant(models.Model):
    """A user's draw counters in one lottery. The draw service locks this row, so two tabs drawing at once
    are serialised for that user and can't both pass the daily/total limit."""

    lottery = models.ForeignKey(Lottery, on_delete=models.CASCADE, related_name="entrants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    draws = models.PositiveIntegerField(default=0)
    day = models.DateField(null=True, blank=True)  # the local (Asia/Shanghai) day `day_draws` counts
    day_draws = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lottery", "user"], name="lottery_entrant_once")]


class Draw(models.Model):
    class Entry(models.TextChoices):
        POINTS = "points", _("积分")
        ORDER = "order", _("订单赠送")
        SHARE = "share", _("分享赠送")

    class Award(models.TextChoices):
        NONE = "", _("未中奖")
        GRANTED = "granted", _("已发放")
        TO_CLAIM = "to_claim", _("待领取")
        CLAIMED = "claimed", _("已领取")
        EXPIRED = "expired", _("已过期")

    lottery = models.ForeignKey(Lottery, on_delete=models.CASCADE, related_name="draws")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lottery_draws")
    entry = models.CharField(max_length=10, choices=Entry.choices)
    chance = models.ForeignKey(Chance, null=True, blank=True, on_delete=models.SET_NULL, related_name="draws")
    points_spent = models.PositiveIntegerField(default=0)
    # the draw itself: a number in [0, random_range) from secrets.SystemRandom, which selected `picked`
    random_value = models.BigIntegerField()
    random_range = models.BigIntegerField()
    picked = models.ForeignKey(Prize, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    prize = models.ForeignKey(Prize, null=True, blank=True, on_delete=models.PROTECT, related_name="wins")
    stock_before = models.IntegerField(null=True, blank=True)
    stock_after = models.IntegerField(null=True, blank=True)
    note = models.CharField(max_length=60, blank=True)  # why a picked prize was not given (out_of_stock…)
    award = models.CharField(max_length=10, choices=Award.choices, blank=True, default="")
    award_ref = models.CharField(max_length=40, blank=True)  # "user_coupon:12", "points:34"
    claim_by = models.DateTimeField(null=True, blank=True)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["lottery", "id"], name="lottery_draw_audit"),
            models.Index(fields=["user", "created_at"], name="lottery_draw_user"),
            models.Index(fields=["award", "claim_by"], name="lottery_draw_claim"),
        ]

    @property
    def won(self) -> bool:
        return self.prize_id is not None
