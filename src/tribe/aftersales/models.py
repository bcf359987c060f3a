from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RefundRequest(models.Model):
    """售后: a buyer asks for money back on one line (refund only, or return then refund)."""

    class Kind(models.TextChoices):
        REFUND_ONLY = "refund_only", _("仅退款")
        RETURN_REFUND = "return_refund", _("退货退款")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待处理")
        APPROVED = "approved", _("已同意，待退货")
        RETURNED = "returned", _("已退货")
        REFUNDING = "refunding", _("退款中")
        REFUNDED = "refunded", _("已退款")
        REJECTED = "rejected", _("已拒绝")
        CANCELLED = "cancelled", _("已撤销")

    line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="refund_requests")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refund_requests")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    quantity = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    reject_reason = models.CharField(max_length=200, blank=True)
    restock_quantity = models.PositiveIntegerField(default=0)
    refund_id = models.BigIntegerField(null=True, blank=True)  # payments.Refund
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_pos")]
