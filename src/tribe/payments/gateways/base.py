"""The gateway interface every payment provider adapter implements."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from tribe.core.errors import DomainError


class GatewayError(DomainError):
    status = 502
    code = "gateway_error"


class SignatureInvalid(DomainError):
    status = 400
    code = "invalid_signature"


@dataclass
class PaymentIntent:
    """What the buyer's client needs to pay: a URL to open (page pay) or parameters for an SDK/JSAPI call."""

    pay_url: str = ""
    params: dict | None = None


@dataclass
class VerifiedNotification:
    out_trade_no: str
    provider_txn_id: str
    amount: Decimal
    succeeded: bool
    raw: dict


@dataclass
class RefundResult:
    succeeded: bool
    provider_refund_id: str = ""
    message: str = ""


class Gateway(Protocol):
    name: str

    def create_payment(self, *, out_trade_no: str, amount: Decimal, subject: str, notify_url: str,
                       return_url: str) -> PaymentIntent: ...

    def verify_notification(self, headers: dict, body: bytes) -> VerifiedNotification:
        """Check the provider's signature and decode. Raises SignatureInvalid for forged or tampered input."""
        ...

    def query(self, out_trade_no: str) -> VerifiedNotification | None: ...

    def refund(self, *, out_trade_no: str, out_refund_no: str, amount: Decimal, total: Decimal,
               reason: str) -> RefundResult: ...

    def ack(self, ok: bool) -> tuple[int, str, str]:
        """The HTTP answer the provider expects: (status, content type, body)."""
        ...
