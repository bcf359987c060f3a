"""Forms of the cart, checkout, pay and after-sales pages, and the Chinese wording of the order services'
errors. The forms only parse what the browser sends (numbers are numbers, ids fit the database); the
services decide what is allowed, and their DomainError is turned into a message here, in one place."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tribe.aftersales.models import RefundRequest
from tribe.core.errors import DomainError
from tribe.orders.cart import MAX_LINE_QTY

GATEWAY_LABELS = {
    "dummy": gettext_lazy("模拟支付（演示）"),
    "alipay": gettext_lazy("支付宝"),
    "wechat": gettext_lazy("微信支付"),
}
MAX_ID = 2**63 - 1  # SQLite cannot even compare a larger integer
ADDRESS_FIELDS = ("name", "phone", "province", "city", "district", "detail")
KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")

# Stable error codes → what the shopper reads. Anything not listed falls back to a generic sentence, never
# to the service's English message.
CODE_MESSAGES = {
    "unknown_sku": gettext_lazy("商品不存在"),
    "not_on_sale": gettext_lazy("该商品已下架"),
    "cart_full": gettext_lazy("购物车最多放 100 种商品"),
    "empty_cart": gettext_lazy("购物车是空的，先去挑点好物吧"),
    "cart_has_problems": gettext_lazy("购物车里有已下架、已售罄或库存不足的商品，请先回购物车处理"),
    "unknown_shipping": gettext_lazy("请选择有效的配送方式"),
    "not_payable": gettext_lazy("订单已不能支付"),
    "invalid_transition": gettext_lazy("订单当前的状态不能进行这个操作"),
    "after_sales_closed": gettext_lazy("订单当前的状态不能申请售后"),
    "not_shipped": gettext_lazy("商品还没有发货，请选择“仅退款”"),
    "gateway_error": gettext_lazy("支付渠道暂时不可用，请稍后再试"),
}
# Codes whose fields (when there are any) say more than the code: used only when no field is named.
FALLBACK_MESSAGES = {
    "refund_exceeds_paid": gettext_lazy("超过了可退的金额或件数"),
    "no_payment": gettext_lazy("这笔订单没有成功的支付，无法退款"),
    "forbidden": gettext_lazy("这不是你的订单"),
    "not_found": gettext_lazy("要操作的内容不存在"),
}
DETAIL_MESSAGES = {
    "required": gettext_lazy("此项必填"),
    "must be text": gettext_lazy("请输入文字"),
    "invalid character": gettext_lazy("包含无法识别的字符"),
    "not a valid amount": gettext_lazy("请输入有效金额"),
    "at most 2 decimals": gettext_lazy("最多两位小数"),
    "must be positive": gettext_lazy("金额必须大于 0"),
    "too large": gettext_lazy("超出上限"),
    "too many": gettext_lazy("同一商品最多买 99 件"),
}
FIELD_DETAIL = {
    ("phone", "invalid"): gettext_lazy("请填写 11 位手机号码"),
    ("quantity", f"1–{MAX_LINE_QTY}"): gettext_lazy("数量请填写 1–99 之间的整数"),
    ("sku_id", "must be a number"): gettext_lazy("请选择规格"),
    ("sku_id", "unknown"): gettext_lazy("商品不存在"),
    ("sku_id", "not on sale"): gettext_lazy("该商品已下架"),
    ("line_id", "unknown"): gettext_lazy("购物车里没有这件商品"),
    ("address_id", "unknown"): gettext_lazy("收货地址不存在"),
    ("idempotency_key", "invalid"): gettext_lazy("页面已过期，请刷新后重新提交"),
    ("kind", "unknown"): gettext_lazy("请选择售后类型"),
    ("quantity", "invalid"): gettext_lazy("请填写件数"),
    ("gateway", "unknown"): gettext_lazy("请选择支付方式"),
}
MAX_RE = re.compile(r"^max (\S+)$")
LEFT_RE = re.compile(r"^only (\d+) left$")


def describe_detail(field: str, detail, *, code: str = "") -> str:
    detail = str(detail)
    if (field, detail) in FIELD_DETAIL:
        return str(FIELD_DETAIL[(field, detail)])
    if detail in DETAIL_MESSAGES:
        return str(DETAIL_MESSAGES[detail])
    left = LEFT_RE.match(detail)
    if left:
        return _("库存不足，仅剩 %(n)s 件") % {"n": left.group(1)}
    most = MAX_RE.match(detail)
    if most and code == "refund_exceeds_paid":
        if field == "amount":
            return _("最多可退 ¥%(n)s") % {"n": most.group(1)}
        return _("最多可退 %(n)s 件") % {"n": most.group(1)}
    if most:
        return _("最多 %(n)s 个字符") % {"n": most.group(1)}
    return _("填写有误")


def describe(error: DomainError) -> str:
    """One sentence for a service's error, for a page banner or an HTMX message."""
    if error.code in ("early_access_core_only", "friend_deal_unavailable"):  # already a sentence for people
        return error.message
    if error.code == "insufficient_stock":
        if "sku_ids" in error.fields:  # the stock was taken at the last moment, between page and submit
            return _("库存不足：刚刚有人买走了最后几件，请回购物车调整数量")
        detail = error.fields.get("quantity", "")
        return describe_detail("quantity", detail) if detail else _("库存不足")
    if error.code == "bundle_unavailable":
        return _("组合中这些商品暂时无货：%(items)s") % {"items": error.fields.get("items", "")}
    if error.code in CODE_MESSAGES:
        return str(CODE_MESSAGES[error.code])
    for field, detail in error.fields.items():
        return describe_detail(field, detail, code=error.code)
    return str(FALLBACK_MESSAGES.get(error.code, _("操作没有成功，请检查后重试")))


def apply_errors(form: forms.Form, error: DomainError, *, summary: bool = True) -> None:
    """Put the service's field errors next to the form's inputs; the rest on top of the form (unless the
    page shows `describe(error)` as its own banner: summary=False)."""
    placed = False
    for field, detail in error.fields.items():
        if field in form.fields:
            form.add_error(field, describe_detail(field, detail, code=error.code))
            placed = True
    if not placed and summary:
        form.add_error(None, describe(error))


def first_error(form: forms.Form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return ""


class AddToCartForm(forms.Form):
    """Only the SKU and the quantity are read: a price field sent along is never looked at."""

    sku_id = forms.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            "required": gettext_lazy("请选择规格"),
            "invalid": gettext_lazy("请选择规格"),
            "min_value": gettext_lazy("商品不存在"),
            "max_value": gettext_lazy("商品不存在"),
        },
    )
    quantity = forms.IntegerField(
        required=False, error_messages={"invalid": gettext_lazy("数量请填写 1–99 之间的整数")}
    )

    def clean_quantity(self) -> int:
        value = self.cleaned_data.get("quantity")
        return 1 if value is None else value


class QuantityForm(forms.Form):
    """The cart's quantity stepper: the number typed, or the shown number with a step of −1/+1."""

    quantity = forms.IntegerField(
        error_messages={
            "required": gettext_lazy("数量请填写 1–99 之间的整数"),
            "invalid": gettext_lazy("数量请填写 1–99 之间的整数"),
        }
    )
    step = forms.TypedChoiceField(
        required=False,
        choices=[("-1", "-1"), ("1", "1")],
        coerce=int,
        empty_value=0,
        error_messages={"invalid_choice": gettext_lazy("请用 + 或 − 调整数量")},
    )

    def new_quantity(self) -> int:
        return self.cleaned_data["quantity"] + (self.cleaned_data.get("step") or 0)


TEXT_ERRORS = {
    "null_characters_not_allowed": gettext_lazy("包含无法识别的字符"),
    "max_length": gettext_lazy("内容太长"),
}


def _text(label, max_length: int, **kwargs) -> forms.CharField:
    # Lengths are generous here: the order service owns the rules and its errors land next to the field.
    return forms.CharField(label=label, required=False, max_length=max_length * 2, error_messages=TEXT_ERRORS, **kwargs)


class CheckoutForm(forms.Form):
    address = forms.ChoiceField(
        label=gettext_lazy("收货地址"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": gettext_lazy("收货地址不存在"), "required": gettext_lazy("请选择收货地址")},
    )
    name = _text(gettext_lazy("收货人"), 40, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = _text(
        gettext_lazy("手机号"), 20, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"})
    )
    province = _text(gettext_lazy("省"), 20)
    city = _text(gettext_lazy("市"), 20)
    district = _text(gettext_lazy("区/县"), 20)
    detail = _text(gettext_lazy("详细地址"), 200, widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    save_address = forms.BooleanField(label=gettext_lazy("保存到我的地址"), required=False, initial=True)
    note = forms.CharField(
        label=gettext_lazy("订单备注"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("选填，给商家的话")}),
        error_messages={**TEXT_ERRORS, "max_length": gettext_lazy("最多 200 个字符")},
    )
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={
            "required": gettext_lazy("页面已过期，请刷新后重新提交"),
            "max_length": gettext_lazy("页面已过期，请刷新后重新提交"),
        },
    )

    def __init__(self, *args, addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.addresses = list(addresses)
        self.fields["address"].choices = [(str(a.pk), str(a)) for a in self.addresses] + [
            ("new", gettext_lazy("使用新地址"))
        ]

    def clean_idempotency_key(self) -> str:
        key = self.cleaned_data["idempotency_key"]
        if not KEY_RE.match(key):
            raise forms.ValidationError(gettext_lazy("页面已过期，请刷新后重新提交"))
        return key

    @property
    def uses_new_address(self) -> bool:
        return self.cleaned_data.get("address") == "new"

    def address_data(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in ADDRESS_FIELDS}

    def address_id(self) -> int | None:
        return None if self.uses_new_address else int(self.cleaned_data["address"])


class RefundForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("售后类型"),
        choices=RefundRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择售后类型"), "invalid_choice": gettext_lazy("请选择售后类型")},
    )
    quantity = forms.IntegerField(
        label=gettext_lazy("件数"),
        min_value=1,
        max_value=100000,
        error_messages={
            "required": gettext_lazy("请填写件数"),
            "invalid": gettext_lazy("请填写整数件数"),
            "min_value": gettext_lazy("至少 1 件"),
            "max_value": gettext_lazy("件数太多"),
        },
    )
    amount = forms.DecimalField(
        label=gettext_lazy("退款金额"),
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy("留空则按件数自动计算"),
        error_messages={
            "invalid": gettext_lazy("请输入有效金额"),
            "max_digits": gettext_lazy("金额太大"),
            "max_decimal_places": gettext_lazy("最多两位小数"),
            "max_whole_digits": gettext_lazy("金额太大"),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": gettext_lazy("请描述遇到的问题")}),
        error_messages={
            **TEXT_ERRORS,
            "required": gettext_lazy("请填写原因"),
            "max_length": gettext_lazy("最多 200 个字符"),
        },
    )
