"""预售 (presale): a deposit now, the balance in a later window, shipping after the balance.

One purchase = two orders, both placed through tribe.orders.checkout.place_direct_order:

- the **deposit order** (SKU × qty at the deposit per unit) reserves the units and, once paid, holds them: it is
  the order that ships, and it is held (orders.holds) until the balance is paid;
- the **balance order** (same SKU × qty at price − deposit value per unit) carries money only: it is placed
  after handing the deposit's units back to stock in the same transaction, so its own reservation nets the
  stock to zero change; if it expires, the receiver takes the units back for the deposit. It never ships.

So stock is counted once per purchase, whatever happens (see docs/presale.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tribe.campaigns.models import Play

ZERO = Decimal("0.00")


def money_field(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class Presale(Play):
    KIND = "presale"

    class RefundRule(models.TextChoices):
        FORFEIT = "forfeit", _("定金不退（尾款逾期未付，定金不予退还）")
        REFUNDABLE = "refundable", _("定金可退（尾款逾期未付，定金原路退回）")

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    price = money_field(verbose_name=_("预售价"))
    deposit = money_field(verbose_name=_("定金"))
    deposit_value = money_field(verbose_name=_("定金抵扣（膨胀后）"))
    balance_starts_at = models.DateTimeField(_("尾款开始"))
    balance_ends_at = models.DateTimeField(_("尾款截止"))
    ship_date = models.DateField(_("发货日期"))
    refund_rule = models.CharField(max_length=12, choices=RefundRule.choices, default=RefundRule.FORFEIT)
    quantity_cap = models.PositiveIntegerField(_("预售总量"))
    per_user_limit = models.PositiveIntegerField(_("每人限购"), default=5)
    sold = models.PositiveIntegerField(default=0)  # units under a live deposit (guarded counter ≤ quantity_cap)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(deposit__gt=0), name="presale_deposit_pos"),
            models.CheckConstraint(condition=models.Q(deposit_value__gte=models.F("deposit")),
                                   name="presale_value_ge_deposit"),
            models.CheckConstraint(condition=models.Q(price__gt=models.F("deposit_value")),
                                   name="presale_price_gt_value"),
            models.CheckConstraint(condition=models.Q(sold__lte=models.F("quantity_cap")), name="presale_sold_le_cap"),
            models.CheckConstraint(condition=models.Q(balance_ends_at__gt=models.F("balance_starts_at")),
                                   name="presale_balance_window"),
        ]
        indexes = [models.Index(fields=["brand", "status"], name="presale_brand_status")]

    @property
    def balance(self) -> Decimal:
        """What one unit's balance costs: the full price less what the deposit is worth (定金膨胀)."""
        return self.price - self.deposit_value

    @property
    def left(self) -> int:
        return max(0, self.quantity_cap - self.sold)

    def balance_phase(self, now) -> str:
        if now < self.balance_starts_at:
            return "upcoming"
        return "open" if now < self.balance_ends_at else "closed"


class PresaleOrder(models.Model):
    """One buyer's presale purchase: its deposit order and (once placed) its current balance order."""

    class State(models.TextChoices):
        DEPOSIT_PENDING = "deposit_pending", _("待付定金")
        DEPOSIT_PAID = "deposit_paid", _("已付定金")
        BALANCE_PAID = "balance_paid", _("已付尾款")
        FORFEITED = "forfeited", _("定金已没收")
        REFUNDED = "refunded", _("定金已退")
        CANCELLED = "cancelled", _("已取消")

    presale = models.ForeignKey(Presale, on_delete=models.PROTECT, related_name="purchases")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    deposit_order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="+")
    balance_order = models.OneToOneField("orders.Order", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    state = models.CharField(max_length=16, choices=State.choices, default=State.DEPOSIT_PENDING)
    reminded_open_at = models.DateTimeField(null=True, blank=True)
    reminded_due_at = models.DateTimeField(null=True, blank=True)
    # units that after-sales put back on sale for refunds of the (never shipping) balance order, and that we
    # took out again; `restock_debt` is what could not be taken yet (retried by run_presale_due)
    compensated_units = models.PositiveIntegerField(default=0)
    restock_debt = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gte=1), name="presale_order_qty_pos")]
        indexes = [models.Index(fields=["presale", "state"], name="presale_order_state"),
                   models.Index(fields=["user", "-created_at"], name="presale_order_user")]

    def __str__(self) -> str:
        return f"{self.presale_id}/{self.pk}"
