"""Reach, with consent: the periodic email digest (按期发邮件) and Web Push from brand stations.

- DigestLog: one row per digest sent (or skipped as empty), so a user never gets two for one period and the
  console can count what was sent.
- PushSubscription: a browser's push endpoint, for one brand station, by a signed-in user who opted in to
  merchant promotions (`allow_promotions`). Unsubscribing (or the push service answering 404/410) deletes it.
- PushMessage / PushDelivery: what a brand sent and, per subscriber, what happened: sent, failed, capped (the
  user already had today's share of promotions — the same cap as the feed), or gone (endpoint expired).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DigestLog(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    products = models.PositiveIntegerField(default=0)
    campaigns = models.PositiveIntegerField(default=0)
    sent = models.BooleanField(default=False)  # False: nothing new, no mail sent
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "period_end"], name="digest_once_per_period")]
        indexes = [models.Index(fields=["user", "-period_end"], name="digest_user_recent")]


class PushSubscription(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=500)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["brand", "endpoint"], name="push_subscription_once")]


class PushMessage(models.Model):
    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="push_messages")
    title = models.CharField(_("标题"), max_length=60)
    body = models.CharField(_("内容"), max_length=200)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]


class PushDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        CAPPED = "capped", _("超出每日上限")
        GONE = "gone", _("订阅已失效")

    message = models.ForeignKey(PushMessage, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(PushSubscription, null=True, on_delete=models.SET_NULL, related_name="+")
    day = models.DateField()  # Asia/Shanghai day, for the daily cap
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "day", "state"], name="push_delivery_cap")]
