"""Request and response schemas of the commerce API: cart, addresses, checkout, orders, payments, after-sales
and the brand console's order desk.

Requests are `In` (strict, unknown keys refused): a client that sends a price, a total or a discount gets a
422 naming that field, because prices are always computed on the server. Money goes out as strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import model_validator

from .pagination import PageQuery
from .schemas import ImageOut, In, Money, MoneyIn, ObjectId, ProductCard, SkuOut, StoreRef

Problem = Literal["", "not_on_sale", "sold_out", "insufficient_stock"]
# The models' status choices, spelled out so the OpenAPI schema lists them (tests check they stay in step).
OrderStatus = Literal[
    "pending_payment",
    "paid",
    "partially_shipped",
    "shipped",
    "received",
    "completed",
    "cancelled",
    "expired",
    "closed",
]
StoreOrderStatus = Literal[
    "awaiting_payment", "awaiting_shipment", "partially_shipped", "shipped", "received", "cancelled", "closed"
]
RefundStatus = Literal["requested", "approved", "returned", "refunding", "refunded", "rejected", "cancelled"]


# ---- cart -------------------------------------------------------------------------------------------------


class CartLineIn(In):
    sku_id: ObjectId
    quantity: int = Field(1, description="units to add, 1–99 per item in total")


class CartQuantityIn(In):
    quantity: int = Field(description="the line's new quantity, 1–99")


class CartLineOut(Schema):
    id: int
    quantity: int
    sku: SkuOut
    product: ProductCard
    unit_price: Money = Field(description="the SKU's price now (never the price when it was added)")
    subtotal: Money
    problem: Problem = Field(description="why the line cannot be bought now; empty when it can")
    problem_label: str
    bundle_id: int | None


class CartOut(Schema):
    lines: list[CartLineOut] = Field(description="oldest first; flagged lines stay, with their problem")
    total: Money = Field(description="sum of the lines that can be bought")
    has_problems: bool


# ---- addresses --------------------------------------------------------------------------------------------


class AddressIn(In):
    name: str = Field(description="收货人")
    phone: str = Field(description="11-digit mainland mobile number")
    province: str
    city: str
    district: str
    detail: str


class AddressCreateIn(AddressIn):
    is_default: bool = False


class AddressOut(Schema):
    id: int
    name: str
    phone: str
    province: str
    city: str
    district: str
    detail: str
    is_default: bool


class ShipTo(Schema):
    """The address an order ships to, as it was at checkout."""

    name: str
    phone: str
    province: str
    city: str
    district: str
    detail: str


# ---- checkout ---------------------------------------------------------------------------------------------


class ShippingMethodOut(Schema):
    code: str
    name: str
    fee: Money
    free_over: Money | None = Field(description="free shipping when the store's part reaches this")


class AdjustmentOut(Schema):
    code: str
    label: str
    amount: Money = Field(description="money off")


class QuoteLineOut(Schema):
    sku_id: int
    product_id: int
    product_name: str
    sku_label: str
    unit_price: Money
    quantity: int
    subtotal: Money
    discount: Money
    payable: Money
    adjustments: list[AdjustmentOut]


class StoreQuoteOut(Schema):
    store: StoreRef
    lines: list[QuoteLineOut]
    shipping_method: ShippingMethodOut
    shipping_methods: list[ShippingMethodOut] = Field(description="what this store offers")
    subtotal: Money
    discount: Money
    shipping_fee: Money
    total: Money


class ProblemOut(Schema):
    line_id: int
    sku_id: int
    product_name: str
    problem: Problem
    problem_label: str


class QuoteOut(Schema):
    stores: list[StoreQuoteOut]
    problems: list[ProblemOut] = Field(
        description="cart lines left out; checkout refuses until they are fixed"
    )
    subtotal: Money
    discount_total: Money
    shipping_total: Money
    total: Money
    can_place: bool


class CheckoutIn(In):
    address: AddressIn | None = Field(None, description="a new address; or send address_id")
    address_id: ObjectId | None = Field(None, description="one of GET /addresses")
    shipping: str | dict[str, str] = Field(
        "standard",
        description='a method code for every store, or {"<store_id>": "<code>"} (others: standard)',
    )
    note: str = ""
    idempotency_key: str | None = Field(
        None,
        description="8–64 of A-Z a-z 0-9 _.:- ; or the Idempotency-Key header. A repeat returns the order",
    )
    friend_deal: str | None = Field(None, max_length=20,
                                    description="a friend's buy-with-friends code (from /deal/<code>/ links)")
    coupons: list[int] = Field(default_factory=list, description="ids of my coupons to use (GET /me/coupons)")
    points: int = Field(0, description="points to spend (100 = ¥1 by default; capped at a share of the goods)")

    @model_validator(mode="after")
    def _one_address(self):
        if (self.address is None) == (self.address_id is None):
            raise ValueError("send either address or address_id")
        return self


# ---- orders -----------------------------------------------------------------------------------------------


class LineBrief(Schema):
    id: int
    product_id: int
    product_name: str
    sku_label: str
    unit_price: Money
    quantity: int
    cover: ImageOut | None

    @staticmethod
    def resolve_cover(obj):
        return obj.product.cover


class OrderLineOut(LineBrief):
    store_order_id: int
    sku_id: int
    subtotal: Money
    discount: Money
    paid_amount: Money = Field(description="subtotal − discount: the most a refund of this line returns")
    shipped_quantity: int
    refunded_quantity: int
    refunded_amount: Money
    refundable_quantity: int = Field(
        description="units a new refund request may still ask for (0 when closed)"
    )
    refundable_amount: Money
    adjustments: list[AdjustmentOut]

    @staticmethod
    def resolve_refundable_quantity(obj):
        return obj.api_refundable[0]

    @staticmethod
    def resolve_refundable_amount(obj):
        return obj.api_refundable[1]

    @staticmethod
    def resolve_adjustments(obj):
        return obj.adjustments.all()


class ShipmentLineOut(Schema):
    line_id: int
    quantity: int


class ShipmentOut(Schema):
    id: int
    store_order_id: int
    carrier: str
    tracking_number: str
    shipped_at: datetime
    delivered_at: datetime | None
    lines: list[ShipmentLineOut]

    @staticmethod
    def resolve_lines(obj):
        return obj.lines.all()


class StoreOrderOut(Schema):
    id: int
    store: StoreRef
    status: str
    status_label: str
    shipping_method: str
    subtotal: Money
    discount_total: Money
    shipping_fee: Money
    total: Money
    shipments: list[ShipmentOut]

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_shipments(obj):
        return obj.shipments.all()


class LogOut(Schema):
    at: datetime
    from_status: str
    to_status: str
    message: str


class RefundOut(Schema):
    id: int
    order_number: str
    store_order_id: int
    line_id: int
    product_name: str
    sku_label: str
    kind: str
    kind_label: str
    quantity: int
    amount: Money
    reason: str
    status: str
    status_label: str
    reject_reason: str
    restock_quantity: int
    created_at: datetime
    decided_at: datetime | None
    refunded_at: datetime | None

    @staticmethod
    def resolve_order_number(obj):
        return obj.order.number

    @staticmethod
    def resolve_store_order_id(obj):
        return obj.line.store_order_id

    @staticmethod
    def resolve_product_name(obj):
        return obj.line.product_name

    @staticmethod
    def resolve_sku_label(obj):
        return obj.line.sku_label

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class OrderCard(Schema):
    number: str
    status: str
    status_label: str
    total: Money
    item_count: int = Field(description="units over all lines")
    lines: list[LineBrief]
    created_at: datetime
    expires_at: datetime = Field(description="an unpaid order expires then, releasing its stock")
    paid_at: datetime | None

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_item_count(obj):
        return sum(line.quantity for line in obj.lines.all())

    @staticmethod
    def resolve_lines(obj):
        return obj.lines.all()


class OrderDetail(OrderCard):
    subtotal: Money
    discount_total: Money
    shipping_total: Money
    paid_total: Money
    refunded_total: Money
    note: str
    ship_to: ShipTo
    shipped_at: datetime | None
    received_at: datetime | None
    completed_at: datetime | None
    closed_at: datetime | None
    lines: list[OrderLineOut]
    store_orders: list[StoreOrderOut]
    timeline: list[LogOut] = Field(description="every status change and step, oldest first")
    refund_requests: list[RefundOut]
    can_pay: bool
    can_cancel: bool
    can_receive: bool
    can_request_refund: bool

    @staticmethod
    def resolve_ship_to(obj):
        return _ship_to(obj)

    @staticmethod
    def resolve_store_orders(obj):
        return obj.store_orders.all()

    @staticmethod
    def resolve_timeline(obj):
        return obj.logs.all()

    @staticmethod
    def resolve_refund_requests(obj):
        return obj.refund_requests.all()


def _ship_to(order) -> dict:
    return {
        "name": order.ship_name,
        "phone": order.ship_phone,
        "province": order.ship_province,
        "city": order.ship_city,
        "district": order.ship_district,
        "detail": order.ship_detail,
    }


class PayIn(In):
    gateway: Literal["dummy", "alipay", "wechat"] = "dummy"
    behaviour: Literal["succeed", "fail", "late"] | None = Field(
        None, description="dummy gateway only: how the pretend provider answers"
    )

    @model_validator(mode="after")
    def _dummy_only(self):
        if self.behaviour is not None and self.gateway != "dummy":
            raise ValueError("behaviour is for the dummy gateway only")
        return self


class PaymentOut(Schema):
    payment_id: int
    out_trade_no: str
    gateway: str
    amount: Money
    status: str
    pay_url: str = Field(description="open this to pay (page pay); empty when `params` drive an SDK")
    params: dict = Field(description="parameters for the provider's SDK/JSAPI call, if any")


class RefundIn(In):
    kind: Literal["refund_only", "return_refund"]
    quantity: int = Field(description="units of the line, at least 1")
    amount: MoneyIn | None = Field(
        None, description="less than the line's share, as a decimal string; default: the units' paid share"
    )
    reason: str


class OrderQuery(PageQuery):
    status: OrderStatus | None = None


class RefundQuery(PageQuery):
    status: RefundStatus | None = None


class StoreOrderQuery(PageQuery):
    status: StoreOrderStatus | None = None


# ---- console ----------------------------------------------------------------------------------------------


class ConsoleOrderCard(Schema):
    id: int
    order_number: str
    order_status: str
    store: StoreRef
    status: str
    status_label: str
    buyer: str
    ship_city: str
    item_count: int
    total: Money
    created_at: datetime
    paid_at: datetime | None

    @staticmethod
    def resolve_order_number(obj):
        return obj.order.number

    @staticmethod
    def resolve_order_status(obj):
        return obj.order.status

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_buyer(obj):
        return obj.order.user.display_name

    @staticmethod
    def resolve_ship_city(obj):
        return obj.order.ship_city

    @staticmethod
    def resolve_created_at(obj):
        return obj.order.created_at

    @staticmethod
    def resolve_paid_at(obj):
        return obj.order.paid_at


class ConsoleStoreOrder(ConsoleOrderCard):
    shipping_method: str
    subtotal: Money
    discount_total: Money
    shipping_fee: Money
    note: str
    ship_to: ShipTo
    lines: list[OrderLineOut]
    shipments: list[ShipmentOut]
    refund_requests: list[RefundOut]

    @staticmethod
    def resolve_item_count(obj):
        return sum(line.quantity for line in obj.api_lines)

    @staticmethod
    def resolve_note(obj):
        return obj.order.note

    @staticmethod
    def resolve_ship_to(obj):
        return _ship_to(obj.order)

    @staticmethod
    def resolve_lines(obj):
        return obj.api_lines

    @staticmethod
    def resolve_shipments(obj):
        return obj.shipments.all()

    @staticmethod
    def resolve_refund_requests(obj):
        return obj.api_refunds


class ShipIn(In):
    carrier: str = Field(description="快递公司, e.g. 顺丰速运")
    tracking_number: str
    lines: dict[str, int] | None = Field(
        None, description='{"<line_id>": units} for a partial shipment; omit to ship everything left'
    )


class RejectIn(In):
    reason: str


class ReturnedIn(In):
    restock: bool = Field(True, description="put the returned units on sale again (false: damaged)")


class StockProduct(Schema):
    id: int
    name: str
    published: bool


class StockRow(Schema):
    sku_id: int
    code: str
    label: str
    price: Money
    is_active: bool
    stock: int = Field(description="units that can still be sold")
    reserved: int = Field(description="units held by unpaid orders")
    on_hand: int = Field(description="stock + reserved")
    product: StockProduct
    store: StoreRef
