"""WeChat Pay API v3 (微信支付) adapter on wechatpayv3, in 微信支付公钥 mode.

Config (settings.TRIBE_PAYMENT_GATEWAYS["wechat"] for the platform, PaymentAccount.config for a store):
  mchid, appid, private_key (merchant API key, PEM), cert_serial_no (merchant certificate serial),
  apiv3_key (32 characters), public_key (WeChat Pay public key, PEM) and public_key_id ("PUB_KEY_ID_…");
  optional notify_url, timeout (seconds).

With public_key + public_key_id the SDK never downloads platform certificates, so building a client makes no
network call. Native pay, query and refund are HTTP calls made by the SDK (`wechatpayv3.core.requests`);
tests replace that HTTP layer, or inject a client.

Notifications are verified here rather than with `WeChatPay.callback()`: the SDK does not reject stale
timestamps, and for a serial it does not know it goes to the network to download certificates — a forged
notification must not be able to make us call out. The SDK's own offline helpers do the cryptography
(`rsa_verify`: SHA256withRSA over "timestamp\\nnonce\\nbody\\n"; `aes_decrypt`: AEAD_AES_256_GCM).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from decimal import Decimal

from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.utils import aes_decrypt, load_public_key, rsa_verify

from .base import GatewayError, PaymentIntent, RefundResult, SignatureInvalid, VerifiedNotification

REQUIRED = ("mchid", "appid", "private_key", "cert_serial_no", "apiv3_key", "public_key", "public_key_id")
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
MAX_CLOCK_SKEW = 300  # seconds; older (or future) notifications are replays or forgeries
PAID = {"SUCCESS", "REFUND"}  # REFUND: paid, then (partly) refunded
FAILED = {"CLOSED", "REVOKED", "PAYERROR"}
REFUND_ACCEPTED = {"SUCCESS", "PROCESSING"}
TIMESTAMP = re.compile(r"[0-9]{1,12}")


def to_fen(amount: Decimal) -> int:
    """WeChat Pay amounts are integers in fen: Decimal("68.00") → 6800."""
    fen = Decimal(amount) * 100
    if not fen.is_finite() or fen != fen.to_integral_value():
        raise GatewayError(f"amount {amount} is not a whole number of fen")
    return int(fen)


def from_fen(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SignatureInvalid("malformed amount")
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


def header(headers, name: str) -> str:
    """Case-insensitive header lookup that also accepts Django's META spelling (HTTP_WECHATPAY_SERIAL)."""
    if not isinstance(headers, Mapping):
        return ""
    wanted = name.lower()
    meta = "http_" + wanted.replace("-", "_")
    for key, value in headers.items():
        if str(key).lower() in (wanted, meta):
            return str(value)
    return ""


class WechatPayGateway:
    name = "wechat"

    def __init__(self, config: dict | None, *, client: WeChatPay | None = None):
        # Never fails: a missing or broken config surfaces when a key is first needed.
        self.config = config if isinstance(config, dict) else {}
        self._sdk = client
        self._platform_key = None

    @property
    def client(self) -> WeChatPay:
        if self._sdk is None:
            missing = [key for key in REQUIRED if not self.config.get(key)]
            if missing:
                raise GatewayError(f"wechat pay is not configured: missing {', '.join(missing)}")
            try:
                timeout = float(self.config.get("timeout") or 15)
                self._sdk = WeChatPay(
                    wechatpay_type=WeChatPayType.NATIVE,
                    mchid=str(self.config["mchid"]),
                    private_key=self.config["private_key"],
                    cert_serial_no=self.config["cert_serial_no"],
                    appid=self.config["appid"],
                    apiv3_key=self.config["apiv3_key"],
                    # no notify_url here: the SDK would also put it on refunds, and refund notifications
                    # are not payment notifications
                    public_key=self.config["public_key"],
                    public_key_id=self.config["public_key_id"],
                    timeout=(min(timeout, 5.0), timeout),
                )
            except Exception as exc:  # noqa: BLE001 - the SDK raises bare Exception for keys that do not load
                raise GatewayError(f"wechat pay keys do not load: {exc}")
        return self._sdk

    def _keys(self):
        """The platform public key and the APIv3 key, for verifying notifications without the SDK client."""
        if self._platform_key is None:
            missing = [key for key in ("mchid", "apiv3_key", "public_key", "public_key_id") if not self.config.get(key)]
            if missing:
                raise SignatureInvalid(f"account not configured: {', '.join(missing)}")
            if len(str(self.config["apiv3_key"]).encode("utf-8")) != 32:
                raise SignatureInvalid("apiv3_key is not 32 bytes")
            try:
                self._platform_key = load_public_key(self.config["public_key"])
            except Exception:  # noqa: BLE001
                raise SignatureInvalid("public_key does not load")
        return self._platform_key, str(self.config["apiv3_key"])

    # -- paying ------------------------------------------------------------------------------------------

    def create_payment(self, *, out_trade_no: str, amount: Decimal, subject: str, notify_url: str,
                       return_url: str) -> PaymentIntent:
        """Native pay: WeChat returns a `code_url` the page shows as a QR code for the buyer to scan."""
        notify_url = notify_url or self.config.get("notify_url") or ""
        if not notify_url:
            raise GatewayError("wechat pay needs a notify_url")
        data = self._call("pay", description=subject[:127], out_trade_no=out_trade_no,
                          amount={"total": to_fen(amount), "currency": "CNY"}, notify_url=notify_url,
                          pay_type=WeChatPayType.NATIVE)
        code_url = data.get("code_url")
        if not isinstance(code_url, str) or not code_url:
            raise GatewayError("wechat pay answered without a code_url")
        return PaymentIntent(pay_url="", params={"code_url": code_url})

    def _call(self, method: str, *, not_found_ok: bool = False, **kwargs) -> dict:
        """One SDK call → the decoded JSON answer. The SDK verifies a 2xx answer's signature itself."""
        client = self.client
        try:
            code, message = getattr(client, method)(**kwargs)
        except Exception as exc:  # noqa: BLE001 - network errors; "failed to verify the signature"
            raise GatewayError(f"wechat pay {method} failed: {exc}")
        if code == 404 and not_found_ok:
            return {}
        try:
            data = json.loads(message) if message else {}
        except (TypeError, ValueError):
            data = {}
        if not 200 <= code < 300 or not isinstance(data, dict):
            detail = data.get("code", "") if isinstance(data, dict) else ""
            raise GatewayError(f"wechat pay {method} failed: HTTP {code} {detail}".strip())
        return data

    # -- notifications -----------------------------------------------------------------------------------

    def verify_notification(self, headers, body: bytes) -> VerifiedNotification:
        public_key, apiv3_key = self._keys()
        timestamp, nonce = header(headers, "Wechatpay-Timestamp"), header(headers, "Wechatpay-Nonce")
        signature, serial = header(headers, "Wechatpay-Signature"), header(headers, "Wechatpay-Serial")
        if not (timestamp and nonce and signature and serial):
            raise SignatureInvalid("missing signature headers")
        signature_type = header(headers, "Wechatpay-Signature-Type")
        if signature_type and signature_type != SIGNATURE_TYPE:
            raise SignatureInvalid("unsupported signature type")
        if serial != str(self.config["public_key_id"]):
            raise SignatureInvalid("unknown serial")
        if not TIMESTAMP.fullmatch(timestamp) or abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
            raise SignatureInvalid("stale timestamp")
        try:
            text = bytes(body).decode("utf-8")
            verified = rsa_verify(timestamp, nonce, text, signature, public_key)
        except Exception:  # noqa: BLE001 - undecodable body, malformed signature
            verified = False
        if not verified:
            raise SignatureInvalid("bad signature")
        envelope = self._json(text)
        resource = envelope.get("resource")
        if envelope.get("resource_type") != "encrypt-resource" or not isinstance(resource, dict):
            raise SignatureInvalid("no encrypted resource")
        if resource.get("original_type", "transaction") != "transaction":
            raise SignatureInvalid("not a payment notification")
        if resource.get("algorithm") != "AEAD_AES_256_GCM":
            raise SignatureInvalid("unsupported algorithm")
        try:
            plain = aes_decrypt(nonce=resource["nonce"], ciphertext=resource["ciphertext"],
                                associated_data=resource.get("associated_data") or "", apiv3_key=apiv3_key)
        except Exception:  # noqa: BLE001 - missing fields, bad base64, bad nonce length
            plain = None
        if not plain:
            raise SignatureInvalid("resource does not decrypt")
        return self._transaction(self._json(plain), final_only=True)

    @staticmethod
    def _json(text: str) -> dict:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise SignatureInvalid("not JSON")
        if not isinstance(data, dict):
            raise SignatureInvalid("not a JSON object")
        return data

    def _transaction(self, data: dict, *, final_only: bool) -> VerifiedNotification | None:
        if str(data.get("mchid", "")) != str(self.config.get("mchid")):
            raise SignatureInvalid("for another mchid")
        out_trade_no, txn = data.get("out_trade_no"), data.get("transaction_id", "")
        amount, state = data.get("amount"), data.get("trade_state")
        if not isinstance(out_trade_no, str) or not out_trade_no or not isinstance(txn, str):
            raise SignatureInvalid("no out_trade_no")
        if not isinstance(amount, dict) or amount.get("currency", "CNY") != "CNY":
            raise SignatureInvalid("malformed amount")
        total = from_fen(amount.get("total"))
        if state not in PAID | FAILED:
            # NOTPAY / USERPAYING are not outcomes; acting on them would fail a payment still under way.
            if not final_only:
                return None
            raise SignatureInvalid(f"state not final: {re.sub('[^A-Z_]', '', str(state))[:14]}")
        return VerifiedNotification(out_trade_no=out_trade_no, provider_txn_id=txn, amount=total,
                                    succeeded=state in PAID, raw=data)

    # -- provider calls (network) ------------------------------------------------------------------------

    def query(self, out_trade_no: str) -> VerifiedNotification | None:
        """The transaction's final state, or None when WeChat has no such order or it is still unpaid."""
        data = self._call("query", out_trade_no=out_trade_no, not_found_ok=True)
        if not data:
            return None
        try:
            return self._transaction(data, final_only=False)
        except SignatureInvalid as exc:
            raise GatewayError(f"wechat pay query answer is malformed: {exc.message}")

    def refund(self, *, out_trade_no: str, out_refund_no: str, amount: Decimal, total: Decimal,
               reason: str) -> RefundResult:
        """Domestic refund. PROCESSING counts as accepted: the money returns within days, and a retry with
        the same out_refund_no is idempotent at WeChat."""
        extra = {"reason": reason[:80]} if reason else {}
        try:
            data = self._call("refund", out_refund_no=out_refund_no, out_trade_no=out_trade_no,
                              amount={"refund": to_fen(amount), "total": to_fen(total), "currency": "CNY"}, **extra)
        except GatewayError as exc:
            return RefundResult(False, message=exc.message)
        status = str(data.get("status", ""))
        return RefundResult(status in REFUND_ACCEPTED, provider_refund_id=str(data.get("refund_id", "")),
                            message=status)

    def ack(self, ok: bool) -> tuple[int, str, str]:
        """WeChat Pay v3 wants 2xx for success; any other status (with code FAIL) makes it retry."""
        if ok:
            return 200, "application/json; charset=utf-8", json.dumps({"code": "SUCCESS"})
        body = json.dumps({"code": "FAIL", "message": "失败"}, ensure_ascii=False)
        return 400, "application/json; charset=utf-8", body
