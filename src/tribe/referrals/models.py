"""Referral fission (好友裂变 / 邀请好友返利) and share rewards (分享有礼).

- Referral: who invited whom (written when the invitee registers through an invite link), with where the
  invitee registered from (ip, device fingerprint) for the fraud checks.
- Sighting: devices and IPs a user was seen on (login, opening their invite page); self-referral checks compare
  the invitee's registration against the inviter's sightings.
- Reward: one reward for one real event — an invitee's FIRST PAID purchase (kind invite) or a share that brought
  a new visitor who paid (kind share). Never at sign-up. States: granted (paid out at once: points credited to
  the user's points ledger, or a coupon granted, per the brand's RewardPolicy), held (a fraud check fired: a
  brand reviews it in the console), rejected, void (the order was refunded in full, or the user was banned:
  what was given is taken back), capped (over the inviter's cap for the period: recorded with amount 0 so the
  cap is visible and auditable).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Referral(models.Model):
    class State(models.TextChoices):
        REGISTERED = "registered", _("已注册")
        CONVERTED = "converted", _("已首购")

    inviter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referrals_made")
    invitee = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referred_by")
    state = models.CharField(max_length=12, choices=State.choices, default=State.REGISTERED)
    ip = models.GenericIPAddressField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["inviter", "created_at"], name="referral_inviter_recent")]


class Sighting(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "ip", "fingerprint"], name="sighting_once")]


class Reward(models.Model):
    class Kind(models.TextChoices):
        INVITE = "invite", _("邀请好友首购")
        SHARE = "share", _("分享带来新客")
        FRIEND_DEAL = "friend_deal", _("好友同款成交")

    class State(models.TextChoices):
        GRANTED = "granted", _("已发放")
        HELD = "held", _("待审核")
        REJECTED = "rejected", _("已驳回")
        VOID = "void", _("已作废")
        CAPPED = "capped", _("超出上限")

    class Benefit(models.TextChoices):
        POINTS = "points", _("积分")
        COUPON = "coupon", _("优惠券")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    beneficiary = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rewards")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="rewards")
    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="rewards")
    benefit = models.CharField(max_length=10, choices=Benefit.choices, default=Benefit.POINTS)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))  # points or coupon ¥
    state = models.CharField(max_length=10, choices=State.choices)
    # what was actually given when the reward was granted: a points credit (tribe.loyalty, ref "reward:<id>")
    # or this coupon (tribe.coupons); a void takes it back
    coupon = models.ForeignKey("coupons.UserCoupon", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    reasons = models.JSONField(default=list, blank=True)  # fraud checks that fired, for the reviewer
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "order"], name="reward_once_per_order")]
        indexes = [models.Index(fields=["beneficiary", "kind", "created_at"], name="reward_beneficiary_recent")]


class RewardPolicy(models.Model):
    """What a brand's invite, share and buy-with-friends rewards are paid in: points (the default; amounts from
    settings) or one coupon of a template the brand chose (e.g. ¥20 off over ¥199). No policy: points."""

    brand = models.OneToOneField("brands.Brand", on_delete=models.CASCADE, related_name="reward_policy")
    benefit = models.CharField(max_length=10, choices=Reward.Benefit.choices, default=Reward.Benefit.POINTS)
    coupon_template = models.ForeignKey("coupons.CouponTemplate", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    updated_at = models.DateTimeField(auto_now=True)


class FriendDealPolicy(models.Model):
    """A brand's "buy with friends" (好友同款): after paying, the buyer gets a link giving friends `percent` off
    one unit of the same product for `hours`, at most `max_uses` friends; the buyer earns `reward_points` per
    friend who pays. Off by default: the brand pays for the discount."""

    brand = models.OneToOneField("brands.Brand", on_delete=models.CASCADE, related_name="friend_deal_policy")
    enabled = models.BooleanField(default=False)
    percent = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("0.10"))
    hours = models.PositiveSmallIntegerField(default=48)
    max_uses = models.PositiveSmallIntegerField(default=5)
    reward_points = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("30.00"))


class FriendDeal(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="friend_deals")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="friend_deals")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=20, unique=True)
    percent = models.DecimalField(max_digits=4, decimal_places=2)  # a snapshot of the policy
    max_uses = models.PositiveSmallIntegerField()
    reward_points = models.DecimalField(max_digits=8, decimal_places=2)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "product"], name="friend_deal_once")]


class FriendDealUse(models.Model):
    deal = models.ForeignKey(FriendDeal, on_delete=models.CASCADE, related_name="uses")
    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="+")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deal", "buyer"], name="friend_deal_use_once")]
