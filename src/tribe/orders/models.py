from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")


def money_field(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=2, default=ZERO, **kwargs)


class Cart(models.Model):
    """One per signed-in user, or per anonymous session (merged into the user's cart at login)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="cart")
    session_key = models.CharField(max_length=40, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField()
    bundle = models.ForeignKey("catalog.Bundle", null=True, blank=True, on_delete=models.SET_NULL)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku"], name="cartline_unique_sku"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1, quantity__lte=999), name="cartline_qty"),
        ]


class Address(models.Model):
    """A Chinese shipping address."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField(_("收货人"), max_length=40)
    phone = models.CharField(_("手机号"), max_length=20)
    province = models.CharField(_("省"), max_length=20)
    city = models.CharField(_("市"), max_length=20)
    district = models.CharField(_("区/县"), max_length=20)
    detail = models.CharField(_("详细地址"), max_length=200)
    is_default = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.name} {self.phone} {self.province}{self.city}{self.district}{self.detail}"


class ShippingMethod(models.Model):
    """How a store ships: a flat fee per store order, free over a threshold. store=None: platform default."""

    store = models.ForeignKey("brands.Store", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="shipping_methods")
    code = models.SlugField(max_length=30)
    name = models.CharField(max_length=40)
    fee = money_field()
    free_over = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "code"], name="shipping_method_unique")]


class Order(models.Model):
    """What a buyer bought, in one checkout. Status moves only through tribe.orders.pipeline."""

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("待付款")
        PAID = "paid", _("已付款")
        PARTIALLY_SHIPPED = "partially_shipped", _("部分发货")
        SHIPPED = "shipped", _("已发货")
        RECEIVED = "received", _("已收货")
        COMPLETED = "completed", _("已完成")
        CANCELLED = "cancelled", _("已取消")
        EXPIRED = "expired", _("已过期")
        CLOSED = "closed", _("已关闭")

    number = models.CharField(max_length=24, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT)
    idempotency_key = models.CharField(max_length=64)
    # address snapshot: the order keeps what it was shipped to even if the address book changes
    ship_name = models.CharField(max_length=40)
    ship_phone = models.CharField(max_length=20)
    ship_province = models.CharField(max_length=20)
    ship_city = models.CharField(max_length=20)
    ship_district = models.CharField(max_length=20)
    ship_detail = models.CharField(max_length=200)
    note = models.CharField(max_length=200, blank=True)
    subtotal = money_field()
    discount_total = money_field()
    shipping_total = money_field()
    total = money_field()
    paid_total = money_field()
    refunded_total = money_field()
    # the visit that led to the order (first touch), for attribution
    source = models.CharField(max_length=20, blank=True)
    channel = models.CharField(max_length=80, blank=True)
    campaign = models.CharField(max_length=100, blank=True)
    sharer_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="order_idempotency"),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_nonneg"),
            models.CheckConstraint(condition=models.Q(refunded_total__lte=models.F("paid_total")),
                                   name="order_refund_le_paid"),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="order_status_expiry")]

    def __str__(self) -> str:
        return self.number


class StoreOrder(models.Model):
    """The part of an order one store ships and refunds."""

    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("待付款")
        AWAITING_SHIPMENT = "awaiting_shipment", _("待发货")
        PARTIALLY_SHIPPED = "partially_shipped", _("部分发货")
        SHIPPED = "shipped", _("已发货")
        RECEIVED = "received", _("已收货")
        CANCELLED = "cancelled", _("已取消")
        CLOSED = "closed", _("已关闭")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="store_orders")
    store = models.ForeignKey("brands.Store", on_delete=models.PROTECT, related_name="store_orders")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_PAYMENT)
    shipping_method = models.CharField(max_length=40)
    subtotal = money_field()
    discount_total = money_field()
    shipping_fee = money_field()
    total = money_field()

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["order", "store"], name="store_order_unique")]
        indexes = [models.Index(fields=["store", "status"], name="store_order_store_status")]


class OrderLine(models.Model):
    """A SKU bought. Prices are snapshots; `discount` is this line's exact share of every adjustment, and
    `paid_amount` = subtotal − discount is the most a refund of this line can return."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    store_order = models.ForeignKey(StoreOrder, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT)
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT)
    product_name = models.CharField(max_length=120)
    sku_label = models.CharField(max_length=120, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField()
    subtotal = money_field()
    discount = money_field()
    paid_amount = money_field()
    shipped_quantity = models.PositiveIntegerField(default=0)
    refunded_quantity = models.PositiveIntegerField(default=0)
    refunded_amount = money_field()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="line_qty_pos"),
            models.CheckConstraint(condition=models.Q(refunded_amount__lte=models.F("paid_amount")),
                                   name="line_refund_le_paid"),
            models.CheckConstraint(condition=models.Q(refunded_quantity__lte=models.F("quantity")),
                                   name="line_refund_qty_le_qty"),
            models.CheckConstraint(condition=models.Q(shipped_quantity__lte=models.F("quantity")),
                                   name="line_shipped_le_qty"),
        ]

    @property
    def refundable_amount(self) -> Decimal:
        return self.paid_amount - self.refunded_amount


class LineAdjustment(models.Model):
    """One price adjustment's share on one line (coupon, campaign, points, member price…), kept so a refund
    reverses exactly what was given."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="adjustments")
    code = models.CharField(max_length=40)
    label = models.CharField(max_length=80)
    amount = money_field()  # positive = money off


class OrderLog(models.Model):
    """The order's timeline: every status change and notable step, with who did it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="logs")
    at = models.DateTimeField(auto_now_add=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    message = models.CharField(max_length=200, blank=True)
    # set when the step concerns one store's part (its shipping, its after-sales): other stores of a
    # multi-store order do not see it in their console
    store = models.ForeignKey("brands.Store", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "id"]


class Shipment(models.Model):
    store_order = models.ForeignKey(StoreOrder, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(_("快递公司"), max_length=40)
    tracking_number = models.CharField(_("运单号"), max_length=40)
    shipped_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shipped_at", "id"]


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="shipment_lines")
    quantity = models.PositiveIntegerField()
