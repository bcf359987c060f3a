"""Alipay (支付宝) adapter on python-alipay-sdk (module `alipay`), RSA2 keys.

Config (settings.TRIBE_PAYMENT_GATEWAYS["alipay"] for the platform, PaymentAccount.config for a store):
  app_id, app_private_key (PEM, or the bare base64 the Alipay console shows), alipay_public_key (PEM or bare
  base64), sandbox (bool), sign_type ("RSA2", the only one accepted), optional notify_url, return_url, timeout.

Page pay only signs a URL (no network). Query and refund call the gateway through the SDK (`urlopen`), and
the SDK checks the signature of the answer with the Alipay public key.

The async notification is a form-encoded POST. Alipay signs every parameter except `sign` and `sign_type`,
sorted, joined as `k=v` with decoded values, *empty values left out* (as Alipay's own SDKs do; the python
SDK would keep them, so they are dropped here before calling it).
"""

from __future__ import annotations

import re
import textwrap
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl

from alipay import AliPay
from alipay.utils import AliPayConfig

from .base import GatewayError, PaymentIntent, RefundResult, SignatureInvalid, VerifiedNotification

GATEWAY_URLS = {
    False: "https://openapi.alipay.com/gateway.do",
    True: "https://openapi-sandbox.dl.alipaydev.com/gateway.do",  # what the SDK uses with debug=True
}
PAID = {"TRADE_SUCCESS", "TRADE_FINISHED"}
CLOSED = {"TRADE_CLOSED"}  # closed unpaid (timeout) — or fully refunded after payment (then a duplicate)
REQUIRED = ("app_id", "app_private_key", "alipay_public_key")
MAX_FIELDS = 100
FEN = Decimal("0.01")


def as_pem(value: str, label: str) -> str:
    """The Alipay console hands out keys as bare base64; the SDK wants PEM (any RSA PEM label parses)."""
    value = (value or "").strip()
    if value.startswith("-----BEGIN"):
        return value
    body = "".join(value.split())
    return f"-----BEGIN {label}-----\n" + "\n".join(textwrap.wrap(body, 64)) + f"\n-----END {label}-----\n"


def yuan_str(amount: Decimal) -> str:
    """Alipay amounts are strings in yuan with two places: Decimal("99") → "99.00"."""
    amount = Decimal(amount)
    if not amount.is_finite() or amount != amount.quantize(FEN):
        raise GatewayError(f"amount {amount} is not a whole number of fen")
    return str(amount.quantize(FEN))


def parse_yuan(value) -> Decimal:
    """A yuan amount sent by Alipay ("68.00") → Decimal; anything else is malformed."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise SignatureInvalid("malformed amount")
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(FEN):
        raise SignatureInvalid("malformed amount")
    return amount.quantize(FEN)


def parse_form(body: bytes) -> dict[str, str]:
    """Strict form parsing: malformed pairs, duplicate keys or non-UTF-8 bytes mean the body is not Alipay's."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    try:
        text = bytes(body).decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True, encoding="utf-8", errors="strict",
                          max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError, TypeError):
        raise SignatureInvalid("not a valid form")
    data: dict[str, str] = {}
    for key, value in pairs:
        if key in data:
            raise SignatureInvalid("repeated field")
        data[key] = value
    return data


class AlipayGateway:
    name = "alipay"

    def __init__(self, config: dict | None, *, client: AliPay | None = None):
        # Building the adapter never fails (services build one per configured account for every
        # notification); a broken or missing config surfaces when the SDK client is first needed.
        self.config = config if isinstance(config, dict) else {}
        self._sdk = client

    @property
    def sandbox(self) -> bool:
        return bool(self.config.get("sandbox"))

    @property
    def gateway_url(self) -> str:
        return GATEWAY_URLS[self.sandbox]

    @property
    def client(self) -> AliPay:
        if self._sdk is None:
            missing = [key for key in REQUIRED if not self.config.get(key)]
            if missing:
                raise GatewayError(f"alipay is not configured: missing {', '.join(missing)}")
            sign_type = self.config.get("sign_type") or "RSA2"
            if sign_type != "RSA2":
                raise GatewayError("alipay: only sign_type RSA2 is supported")
            try:
                self._sdk = AliPay(
                    appid=str(self.config["app_id"]),
                    app_private_key_string=as_pem(self.config["app_private_key"], "PRIVATE KEY"),
                    alipay_public_key_string=as_pem(self.config["alipay_public_key"], "PUBLIC KEY"),
                    sign_type="RSA2",
                    debug=self.sandbox,
                    config=AliPayConfig(timeout=int(self.config.get("timeout") or 15)),
                )
            except Exception as exc:  # noqa: BLE001 - the SDK raises ValueError/IndexError/… for bad key text
                raise GatewayError(f"alipay keys do not load: {exc.__class__.__name__}")
        return self._sdk

    # -- paying ------------------------------------------------------------------------------------------

    def create_payment(self, *, out_trade_no: str, amount: Decimal, subject: str, notify_url: str,
                       return_url: str) -> PaymentIntent:
        """电脑网站支付 (alipay.trade.page.pay): a signed URL the buyer's browser opens. No network."""
        order_string = self.client.api_alipay_trade_page_pay(
            subject=subject[:256],
            out_trade_no=out_trade_no,
            total_amount=yuan_str(amount),
            return_url=return_url or self.config.get("return_url") or None,
            notify_url=notify_url or self.config.get("notify_url") or None,
        )
        return PaymentIntent(pay_url=f"{self.gateway_url}?{order_string}")

    # -- notifications -----------------------------------------------------------------------------------

    def verify_notification(self, headers, body: bytes) -> VerifiedNotification:
        try:
            client = self.client
        except GatewayError:
            raise SignatureInvalid("account not usable")
        data = parse_form(body)
        signature = data.pop("sign", "")
        sign_type = data.pop("sign_type", "")
        if not signature:
            raise SignatureInvalid("not signed")
        if sign_type != "RSA2":
            raise SignatureInvalid("sign_type is not RSA2")
        signed = {key: value for key, value in data.items() if value != ""}
        try:
            verified = client.verify(dict(signed), signature)
        except Exception:  # noqa: BLE001 - bad base64 or key errors inside the SDK: not a valid signature
            verified = False
        if not verified:
            raise SignatureInvalid("bad signature")
        if data.get("app_id") != str(self.config["app_id"]):
            raise SignatureInvalid("for another app_id")
        return self._notification(data, allow_pending=False)

    def _notification(self, data: dict, *, allow_pending: bool) -> VerifiedNotification | None:
        out_trade_no, trade_no = data.get("out_trade_no"), data.get("trade_no")
        status = data.get("trade_status", "")
        if not isinstance(out_trade_no, str) or not out_trade_no or not isinstance(trade_no, str):
            raise SignatureInvalid("no out_trade_no/trade_no")
        amount = parse_yuan(data.get("total_amount"))
        if status not in PAID | CLOSED:
            # WAIT_BUYER_PAY is not an outcome: acting on it would mark the payment failed before it is paid.
            if allow_pending:
                return None
            raise SignatureInvalid(f"status not final: {re.sub('[^A-Z_]', '', str(status))[:14]}")
        return VerifiedNotification(out_trade_no=out_trade_no, provider_txn_id=trade_no, amount=amount,
                                    succeeded=status in PAID, raw=dict(data))

    # -- provider calls (network) ------------------------------------------------------------------------

    def query(self, out_trade_no: str) -> VerifiedNotification | None:
        """The trade's final state, or None when Alipay has no such trade or it is still waiting for payment."""
        try:
            response = self.client.api_alipay_trade_query(out_trade_no=out_trade_no)
        except GatewayError:
            raise
        except Exception as exc:  # noqa: BLE001 - network errors, unsigned error answers, forged answers
            raise GatewayError(f"alipay query failed: {exc.__class__.__name__}")
        if response.get("code") == "10000":
            try:
                return self._notification(response, allow_pending=True)
            except SignatureInvalid as exc:
                raise GatewayError(f"alipay query answer: {exc.message}")
        if response.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            return None
        raise GatewayError(f"alipay query failed: {response.get('sub_code') or response.get('code')}")

    def refund(self, *, out_trade_no: str, out_refund_no: str, amount: Decimal, total: Decimal,
               reason: str) -> RefundResult:
        """alipay.trade.refund; out_request_no makes a retry of the same refund idempotent at Alipay."""
        extra = {"refund_reason": reason[:256]} if reason else {}
        try:
            response = self.client.api_alipay_trade_refund(refund_amount=yuan_str(amount), out_trade_no=out_trade_no,
                                                           out_request_no=out_refund_no, **extra)
        except GatewayError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise GatewayError(f"alipay refund failed: {exc.__class__.__name__}")
        if response.get("code") == "10000":
            return RefundResult(True, provider_refund_id=str(response.get("trade_no", "")),
                                message=f"fund_change={response.get('fund_change', '')}")
        return RefundResult(False, message=" ".join(str(response.get(k, "")) for k in ("code", "sub_code", "sub_msg")))

    def ack(self, ok: bool) -> tuple[int, str, str]:
        """Alipay stops retrying only when the body is exactly `success` (up to 8 retries over 25 hours)."""
        return (200, "text/plain; charset=utf-8", "success") if ok else (400, "text/plain; charset=utf-8", "fail")

