"""Distribution (分销): who may promote a brand, the clicks their share links bring, who a visitor is bound to,
and the attribution snapshot taken on each order line at order creation.

Anti-pyramid by construction: a Promoter row has no upline; nothing here records who recruited whom for
money. `PromoterProgram.max_promoters_per_line` is 1 by default and the service refuses anything above 2.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PromoterProgram(models.Model):
    class JoinPolicy(models.TextChoices):
        ANYONE = "anyone", _("任何人")
        APPLY = "apply", _("申请审核")
        INVITE = "invite", _("仅限邀请")

    class Binding(models.TextChoices):
        FIRST_CLICK = "first_click", _("首次点击永久绑定")
        WINDOW = "window", _("N 天内有效")
        LAST_CLICK = "last_click", _("最后点击")

    class RewardKind(models.TextChoices):
        CASH = "cash", _("现金佣金")
        POINTS = "points", _("积分")
        COUPON = "coupon", _("优惠券")
        GIFT = "gift", _("赠品")

    brand = models.OneToOneField("brands.Brand", on_delete=models.CASCADE, related_name="promoter_program")
    join_policy = models.CharField(max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.APPLY)
    binding = models.CharField(max_length=12, choices=Binding.choices, default=Binding.WINDOW)
    window_days = models.PositiveSmallIntegerField(default=30)
    default_rate = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0.1000"))  # 10%
    reward_kind = models.CharField(max_length=10, choices=RewardKind.choices, default=RewardKind.CASH)
    max_promoters_per_line = models.PositiveSmallIntegerField(default=1)  # the service refuses > 2
    min_withdrawal = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("10.00"))
    # Non-cash rewards (the ledger still counts their value in ¥): points are credited when commission becomes
    # available (TRIBE_POINTS_REDEEM_RATE points per ¥1); coupons: one `rebate_coupon` (an amount-off template of
    # the brand) per face value available; gift: the promoter claims `gift_sku` once `gift_value` is available.
    rebate_coupon = models.ForeignKey("coupons.CouponTemplate", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+")
    gift_sku = models.ForeignKey("catalog.Sku", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    gift_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)


class Promoter(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("申请中")
        ACTIVE = "active", _("推广中")
        FROZEN = "frozen", _("已冻结")
        REJECTED = "rejected", _("未通过")
        BANNED = "banned", _("已封禁")

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="promoters")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="promoter_roles")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)  # brand staff invited this user (invite policy)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["brand", "user"], name="promoter_once_per_brand")]


class ProductRate(models.Model):
    """A product's own commission rate, overriding the brand's default."""

    product = models.OneToOneField("catalog.Product", on_delete=models.CASCADE, related_name="commission_rate")
    rate = models.DecimalField(max_digits=5, decimal_places=4)


class LineAttribution(models.Model):
    """The snapshot taken at order creation: later rule or rate changes never rewrite it. One row per
    (line, promoter); `position` 0 is the attributed promoter (at most max_promoters_per_line rows)."""

    line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="attributions")
    promoter = models.ForeignKey(Promoter, on_delete=models.PROTECT, related_name="attributions")
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    rule = models.CharField(max_length=12)
    rate = models.DecimalField(max_digits=5, decimal_places=4)
    base_amount = models.DecimalField(max_digits=12, decimal_places=2)  # what the buyer paid for the line
    commission = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "promoter"], name="attribution_once_per_promoter"),
            models.UniqueConstraint(fields=["line", "position"], name="attribution_position_once"),
            models.CheckConstraint(condition=models.Q(commission__gte=0, base_amount__gte=0),
                                   name="attribution_non_negative"),
        ]


class ShareClick(models.Model):
    """Someone opened a valid share link (once per visit per object, see tribe.sharing.note_share_open).

    Recorded whether or not the sharer is a promoter: a click from a non-promoter's link is still a click.
    `brand` is null for objects that belong to no brand (a circle, a personal album)."""

    sharer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_clicks")
    brand = models.ForeignKey("brands.Brand", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField(null=True, blank=True)
    channel = models.CharField(max_length=80, blank=True)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    session_key = models.CharField(max_length=40, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["brand", "sharer"], name="shareclick_brand_sharer"),
            models.Index(fields=["brand", "visitor", "created_at"], name="shareclick_visitor"),
            models.Index(fields=["session_key"], name="shareclick_session"),
        ]


class Binding(models.Model):
    """Who a visitor is bound to for a brand right now: one row per (brand, user) or (brand, anonymous
    session). `expires_at` null = no end (first click, last click); set for the N-day window rule."""

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="promoter_bindings")
    session_key = models.CharField(max_length=40, blank=True)
    promoter = models.ForeignKey(Promoter, on_delete=models.CASCADE, related_name="bindings")
    rule = models.CharField(max_length=12)
    bound_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brand", "visitor"], condition=models.Q(visitor__isnull=False),
                                    name="binding_once_per_user"),
            models.UniqueConstraint(fields=["brand", "session_key"],
                                    condition=models.Q(visitor__isnull=True), name="binding_once_per_session"),
            models.CheckConstraint(condition=models.Q(visitor__isnull=False) | ~models.Q(session_key=""),
                                   name="binding_has_visitor"),
        ]

    def is_active(self, now=None) -> bool:
        return self.expires_at is None or self.expires_at > (now or timezone.now())


class CampaignRate(models.Model):
    """A campaign's commission rate for a brand: orders whose visit came from `campaign` (the link's campaign
    code, e.g. `?utm_campaign=618` — the order's first touch) while the campaign runs earn this rate instead of
    the product's or the program's. A rate is a snapshot at order time like any other."""

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="campaign_rates")
    campaign = models.CharField(max_length=100)
    rate = models.DecimalField(max_digits=5, decimal_places=4)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brand", "campaign"], name="campaign_rate_once"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="campaign_rate_window"),
        ]
