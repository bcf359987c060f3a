"""The dummy gateway for the demo and tests. It behaves like a real one: the "provider" posts a signed
notification (HMAC-SHA256 with the site's secret) that goes through the same verify → mark paid path.

A payment can be told to succeed, fail, or pay late (the notification is only delivered by
`deliver_late(...)`, which tests call after moving time past the order's expiry)."""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal, InvalidOperation

from django.conf import settings

from .base import PaymentIntent, RefundResult, SignatureInvalid, VerifiedNotification


def _key() -> bytes:
    return (settings.SECRET_KEY + ":dummy-gateway").encode()


def sign(payload: dict) -> str:
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hmac.new(_key(), body.encode(), hashlib.sha256).hexdigest()


def signed_body(out_trade_no: str, amount: Decimal, succeeded: bool, txn: str) -> bytes:
    payload = {"out_trade_no": out_trade_no, "amount": str(amount), "status": "SUCCESS" if succeeded else "FAIL",
               "txn_id": txn}
    return json.dumps({"data": payload, "sign": sign(payload)}).encode()


class DummyGateway:
    name = "dummy"

    def __init__(self, config: dict):
        self.config = config
        self.refunds: list[tuple[str, Decimal]] = []

    def create_payment(self, *, out_trade_no, amount, subject, notify_url, return_url) -> PaymentIntent:
        # the demo's pay page (tribe.web) plays the provider's cashier
        return PaymentIntent(pay_url=f"/pay/dummy/{out_trade_no}/")

    def verify_notification(self, headers, body: bytes) -> VerifiedNotification:
        try:
            envelope = json.loads(body)
            data, signature = envelope["data"], envelope["sign"]
            amount = Decimal(data["amount"])
        except (ValueError, KeyError, TypeError, InvalidOperation, RecursionError):  # "[[[[…" → RecursionError
            raise SignatureInvalid("notification is malformed")
        if not isinstance(signature, str) or not hmac.compare_digest(signature, sign(data)):
            raise SignatureInvalid("notification signature does not verify")
        return VerifiedNotification(str(data["out_trade_no"]), str(data["txn_id"]), amount,
                                    data["status"] == "SUCCESS", data)

    def query(self, out_trade_no):
        return None

    def refund(self, *, out_trade_no, out_refund_no, amount, total, reason) -> RefundResult:
        return RefundResult(True, provider_refund_id="DUMMYR" + out_refund_no[-12:])

    def ack(self, ok: bool):
        return (200, "application/json", json.dumps({"code": "SUCCESS" if ok else "FAIL"}))
