"""秒杀 flash sales: a sale is one time slot (场次) with items carved out of their SKUs' stock.

Units move between two counters and never exist twice:

    Sku.stock ──start (carve, all-or-nothing)──▶ FlashItem.left ──buy──▶ an order's reservation
        ▲                                             ▲                        │
        └──────────── end (exactly once) ─────────────┘◀── cancel/expire ──────┘ (while the sale is not over)

`FlashItem.sold` counts units in live flash orders (reserved or paid) — the progress bar. `FlashQuota` is the
per-user counter behind the per-user limit (a guarded update, so two tabs cannot both pass the limit);
`FlashPurchase` links each flash order to its item, so a cancellation gives back exactly what it held.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tribe.campaigns.models import Play


class FlashSale(Play):
    KIND = "flashsale"

    carved_at = models.DateTimeField(null=True, blank=True)  # stock taken from the SKUs (once, at start)
    returned_at = models.DateTimeField(null=True, blank=True)  # what was left went back (once, at end)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["status", "starts_at"]), models.Index(fields=["status", "ends_at"])]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="flashsale_window")]


class FlashItem(models.Model):
    sale = models.ForeignKey(FlashSale, on_delete=models.CASCADE, related_name="items")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    flash_price = models.DecimalField(_("秒杀价"), max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField(_("秒杀数量"))  # units carved out of the SKU at start
    per_user_limit = models.PositiveIntegerField(_("每人限购"), default=1)
    left = models.IntegerField(default=0)  # carved units not yet in a live order
    sold = models.IntegerField(default=0)  # units in live flash orders (reserved or paid)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sale", "sku"], name="flashitem_one_per_sku"),
            models.CheckConstraint(condition=Q(left__gte=0), name="flashitem_left_nonneg"),
            models.CheckConstraint(condition=Q(sold__gte=0), name="flashitem_sold_nonneg"),
            models.CheckConstraint(condition=Q(flash_price__gte=0), name="flashitem_price_nonneg"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="flashitem_quantity_pos"),
            models.CheckConstraint(condition=Q(per_user_limit__gte=1), name="flashitem_limit_pos"),
        ]

    @property
    def progress(self) -> int:
        """Percent of the carved units in live orders (0–100)."""
        return min(100, self.sold * 100 // self.quantity) if self.quantity else 0


class FlashQuota(models.Model):
    """How many units of an item one user holds in live flash orders (the per-user limit's counter)."""

    item = models.ForeignKey(FlashItem, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    bought = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="flashquota_one_per_user"),
            models.CheckConstraint(condition=Q(bought__gte=0), name="flashquota_nonneg"),
        ]


class FlashPurchase(models.Model):
    class State(models.TextChoices):
        LIVE = "live", _("有效")
        CANCELLED = "cancelled", _("已取消")

    item = models.ForeignKey(FlashItem, on_delete=models.CASCADE, related_name="purchases")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.LIVE)
    returned_to_sale = models.BooleanField(default=False)  # on cancel: back to `left` (else to the SKU)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "order"], name="flashpurchase_one_per_order")]
