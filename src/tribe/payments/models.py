from django.db import models
from django.utils.translation import gettext_lazy as _


def money(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class PaymentAccount(models.Model):
    """A store's own merchant account with a gateway (Alipay app id and keys, WeChat Pay mchid and keys).
    Orders that span stores, or stores without an account, are paid to the platform's account (settings)."""

    store = models.ForeignKey("brands.Store", on_delete=models.CASCADE, related_name="payment_accounts")
    gateway = models.CharField(max_length=20)
    config = models.JSONField(default=dict)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "gateway"], name="payment_account_unique")]


class Payment(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("待支付")
        SUCCEEDED = "succeeded", _("支付成功")
        FAILED = "failed", _("支付失败")
        REFUNDED = "refunded", _("已退款")  # money returned in full (late payment, full refund)

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=20)
    account = models.ForeignKey(PaymentAccount, null=True, blank=True, on_delete=models.SET_NULL)
    out_trade_no = models.CharField(max_length=40, unique=True)  # our id at the provider
    amount = money()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CREATED)
    provider_txn_id = models.CharField(max_length=64, blank=True)
    refunded_amount = money(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    behaviour = models.CharField(max_length=10, blank=True)  # dummy gateway only: succeed | fail | late

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(refunded_amount__lte=models.F("amount")),
                                   name="payment_refund_le_amount"),
        ]


class Notification(models.Model):
    """Every notification received, verified or not (forged ones are kept as evidence, never acted on)."""

    gateway = models.CharField(max_length=20)
    received_at = models.DateTimeField(auto_now_add=True)
    verified = models.BooleanField(default=False)
    out_trade_no = models.CharField(max_length=40, blank=True, db_index=True)
    provider_txn_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=40)  # paid | duplicate | late_refunded | failed | rejected: …
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("退款中")
        SUCCEEDED = "succeeded", _("退款成功")
        FAILED = "failed", _("退款失败")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    out_refund_no = models.CharField(max_length=40, unique=True)
    amount = money()
    reason = models.CharField(max_length=200, blank=True)
    refund_request_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    provider_refund_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_positive")]
