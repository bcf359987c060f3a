"""优惠券: a brand's coupon templates (a play: condition + benefit + scope) and the coupons users hold.

A template says what a coupon gives (benefit), when it applies (threshold over the in-scope lines, N-th item),
to what (scope: the brand, one of its stores, a category with its sub-categories, or listed products), how many
exist (total stock, per-user limit), how it combines (stackable with other coupons, with play prices,
exclusive; priority) and how long a granted coupon can be used (a fixed window or N days after grant).

A UserCoupon is one coupon in one user's wallet:

    available ─(order placed)→ used ─(order cancelled/expired unpaid, or fully refunded)→ available
        │                                                                    (expired if past its window)
        ├─(valid_to passed: sweep)→ expired
        └─(void: the reward it came from was taken back)→ void

`locked` is kept as a state for coupons frozen by staff; the checkout never produces it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tribe.campaigns.models import Play

ZERO = Decimal("0.00")


def money(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class Benefit(models.TextChoices):
    AMOUNT_OFF = "amount_off", _("满减")
    PERCENT_OFF = "percent_off", _("折扣")
    FIXED_PRICE = "fixed_price", _("一口价")
    FREE_SHIPPING = "free_shipping", _("包邮")
    NTH_DISCOUNT = "nth_discount", _("第N件优惠")


class Scope(models.TextChoices):
    BRAND = "brand", _("全品牌")
    STORE = "store", _("指定店铺")
    CATEGORY = "category", _("指定类目")
    PRODUCTS = "products", _("指定商品")


class CouponTemplate(Play):
    KIND = "coupons"

    benefit = models.CharField(_("优惠方式"), max_length=20, choices=Benefit.choices, default=Benefit.AMOUNT_OFF)
    threshold = money(verbose_name=_("使用门槛（适用商品满）"), default=ZERO)
    amount = money(verbose_name=_("减免金额 / 一口价"), default=ZERO)  # amount_off: ¥ off; fixed_price: ¥ each
    percent_off = models.PositiveSmallIntegerField(_("折扣（减免百分比）"), default=0)  # percent / nth: 1–100
    max_discount = money(verbose_name=_("最高优惠"), null=True, blank=True)  # cap of percent_off
    nth = models.PositiveSmallIntegerField(_("第 N 件"), default=2)  # nth_discount: every N-th unit of a line

    scope = models.CharField(_("适用范围"), max_length=10, choices=Scope.choices, default=Scope.BRAND)
    scope_store = models.ForeignKey("brands.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    scope_category = models.ForeignKey("catalog.Category", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    scope_products = models.ManyToManyField("catalog.Product", blank=True, related_name="+")

    total_quantity = models.PositiveIntegerField(_("发行总量"), null=True, blank=True)  # None: unlimited
    granted_count = models.PositiveIntegerField(default=0)  # guarded counter: never above total_quantity
    per_user_limit = models.PositiveSmallIntegerField(_("每人限领"), default=1)

    claimable = models.BooleanField(_("公开领取"), default=True)
    stackable = models.BooleanField(_("可与其他券叠加"), default=False)
    with_play_price = models.BooleanField(_("可与活动价同享"), default=False)
    exclusive = models.BooleanField(_("独享（不与任何优惠同享）"), default=False)
    priority = models.SmallIntegerField(_("优先级（大者先算）"), default=0)
    return_on_refund = models.BooleanField(_("全额退款后退券"), default=True)

    valid_days = models.PositiveSmallIntegerField(_("领取后有效天数"), null=True, blank=True)
    use_from = models.DateTimeField(_("使用开始"), null=True, blank=True)
    use_until = models.DateTimeField(_("使用截止"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["brand", "status"], name="coupon_tpl_brand_status"),
                   models.Index(fields=["status", "claimable", "ends_at"], name="coupon_tpl_claimable")]
        constraints = [
            models.CheckConstraint(condition=Q(total_quantity__isnull=True) | Q(granted_count__lte=models.F(
                "total_quantity")), name="coupon_tpl_not_overgranted"),
            models.CheckConstraint(condition=Q(percent_off__lte=100), name="coupon_tpl_percent"),
            models.CheckConstraint(condition=Q(valid_days__isnull=False) | Q(use_until__isnull=False),
                                   name="coupon_tpl_use_validity"),
        ]

    @property
    def left(self) -> int | None:
        return None if self.total_quantity is None else max(0, self.total_quantity - self.granted_count)

    @property
    def summary(self) -> str:
        """What the coupon gives, in one line (满200减30, 8.5折 最高减50, ¥9.90 一口价, 包邮, 第2件5折)."""
        from django.utils.translation import gettext as t

        cond = t("满%(t)s") % {"t": _num(self.threshold)} if self.threshold > 0 else t("无门槛")
        if self.benefit == Benefit.AMOUNT_OFF:
            text = t("%(c)s减%(a)s") % {"c": cond, "a": _num(self.amount)}
        elif self.benefit == Benefit.PERCENT_OFF:
            text = t("%(c)s打%(r)s折") % {"c": cond, "r": _num(Decimal(100 - self.percent_off) / 10)}
            if self.max_discount is not None:
                text += t("，最高减%(m)s") % {"m": _num(self.max_discount)}
        elif self.benefit == Benefit.FIXED_PRICE:
            text = t("%(c)s，适用商品每件¥%(a)s") % {"c": cond, "a": _num(self.amount)}
        elif self.benefit == Benefit.FREE_SHIPPING:
            text = t("%(c)s包邮") % {"c": cond}
        else:
            text = t("第%(n)s件%(r)s折") % {"n": self.nth, "r": _num(Decimal(100 - self.percent_off) / 10)}
        return text


def _num(value: Decimal) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


class UserCoupon(models.Model):
    class State(models.TextChoices):
        AVAILABLE = "available", _("可使用")
        LOCKED = "locked", _("已冻结")
        USED = "used", _("已使用")
        EXPIRED = "expired", _("已过期")
        VOID = "void", _("已作废")

    class Source(models.TextChoices):
        CLAIM = "claim", _("领取")
        SHARE_REWARD = "share_reward", _("分享奖励")
        SEGMENT = "segment", _("定向发放")
        CAMPAIGN = "campaign", _("活动发放")
        LOTTERY = "lottery", _("抽奖")
        REFERRAL = "referral", _("邀请奖励")
        TRIAL = "trial", _("试用")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coupons")
    template = models.ForeignKey(CouponTemplate, on_delete=models.PROTECT, related_name="coupons")
    state = models.CharField(max_length=10, choices=State.choices, default=State.AVAILABLE)
    source = models.CharField(max_length=20)
    ref = models.CharField(max_length=80, blank=True)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField()
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    discount = money(default=ZERO)  # what it took off its order (from the order's LineAdjustment rows)
    used_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "state", "valid_to"], name="user_coupon_wallet"),
                   models.Index(fields=["template", "user"], name="user_coupon_tpl_user"),
                   models.Index(fields=["state", "valid_to"], name="user_coupon_expiry"),
                   models.Index(fields=["order"], name="user_coupon_order")]
        constraints = [
            models.UniqueConstraint(fields=["template", "ref"], condition=~Q(ref=""), name="user_coupon_ref_once"),
            models.CheckConstraint(condition=Q(valid_to__gt=models.F("valid_from")), name="user_coupon_window"),
        ]

    @property
    def code(self) -> str:
        """The LineAdjustment code of this coupon's share on an order line."""
        return f"coupon:{self.pk}"

    def usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.state == self.State.AVAILABLE and self.valid_from <= now < self.valid_to

    @property
    def shown_state(self) -> str:
        """Available but past its window shows as expired before the sweep catches up."""
        if self.state == self.State.AVAILABLE and timezone.now() >= self.valid_to:
            return self.State.EXPIRED
        return self.state
