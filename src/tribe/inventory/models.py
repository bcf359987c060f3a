from django.db import models


class Reservation(models.Model):
    """Units taken out of `Sku.stock` for an order until it is paid, cancelled or expires.

    `Sku.stock` is what can still be sold. Reserving moves units from it into an *active* reservation with a
    guarded decrement (never below zero); paying *consumes* the reservation (the units are sold); cancelling or
    expiring *releases* it (the units go back). Every state change is a guarded update on the reservation's
    state, so a release that races a payment happens once or not at all.
    """

    class State(models.TextChoices):
        ACTIVE = "active"
        CONSUMED = "consumed"
        RELEASED = "released"

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="reservations")
    order_id = models.BigIntegerField(db_index=True)  # orders.Order; inventory does not import orders
    line_id = models.BigIntegerField(null=True, blank=True)
    quantity = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "expires_at"], name="reservation_due"),
            models.Index(fields=["sku", "state"], name="reservation_sku_state"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gte=1), name="reservation_qty_pos")]
