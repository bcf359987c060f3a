"""Taking and returning money.

Provider calls (create, refund) never run inside a database transaction that holds stock or order locks:
the reservation's expiry bridges the time the buyer spends paying, and refunds are written as *pending*
first, sent to the provider after commit of that record, then settled. Notifications are verified before
anything is read from them, logged whatever their fate, and idempotent: a repeat changes nothing.
"""

from __future__ import annotations

import logging
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tribe.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tribe.core.events import record_event
from tribe.orders.models import Order
from tribe.orders.services import expire_if_due, mark_paid

from .gateways import get_gateway
from .gateways.base import PaymentIntent, SignatureInvalid
from .models import Notification, Payment, PaymentAccount, Refund

log = logging.getLogger(__name__)
GATEWAYS = ("dummy", "alipay", "wechat")
DUMMY_BEHAVIOURS = ("succeed", "fail", "late")


def _trade_no(prefix: str) -> str:
    return prefix + timezone.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(5).upper()


def account_for(order: Order, gateway: str) -> PaymentAccount | None:
    """A single-store order is paid to that store's own account when it has one; otherwise the platform's."""
    store_ids = list(order.store_orders.values_list("store_id", flat=True))
    if len(store_ids) != 1:
        return None
    return PaymentAccount.objects.filter(store_id=store_ids[0], gateway=gateway, is_active=True).first()


def gateway_for(payment: Payment):
    return get_gateway(payment.gateway, payment.account.config if payment.account_id else None)


def enabled_gateways() -> list[str]:
    """Gateways the platform is configured for (the dummy one only while TRIBE_DUMMY_PAYMENTS is on)."""
    from django.conf import settings

    configured = getattr(settings, "TRIBE_PAYMENT_GATEWAYS", {}) or {}
    return [g for g in GATEWAYS if g in configured]


def start_payment(user, order_id: int, gateway: str = "dummy", *, behaviour: str = "",
                  notify_url: str = "", return_url: str = "") -> tuple[Payment, PaymentIntent]:
    if gateway not in GATEWAYS:
        raise ValidationFailed(f"gateway: one of {', '.join(GATEWAYS)}", fields={"gateway": "unknown"})
    if gateway not in enabled_gateways() and not PaymentAccount.objects.filter(gateway=gateway,
                                                                                 is_active=True).exists():
        raise ValidationFailed(f"gateway: {gateway} is not enabled here", code="gateway_disabled",
                               fields={"gateway": "not enabled"})
    if gateway == "dummy" and behaviour and behaviour not in DUMMY_BEHAVIOURS:
        raise ValidationFailed("behaviour: succeed, fail or late", fields={"behaviour": "unknown"})
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise NotFound("no such order")
    if order.user_id != user.pk:
        raise PermissionDenied("not your order")
    order = expire_if_due(order)
    if order.status != Order.Status.PENDING_PAYMENT:
        raise Conflict(f"order is {order.get_status_display()}, it cannot be paid", code="not_payable")
    account = account_for(order, gateway)
    payment = Payment.objects.create(order=order, gateway=gateway, account=account, amount=order.total,
                                     out_trade_no=_trade_no("T"), behaviour=behaviour or "succeed")
    intent = gateway_for(payment).create_payment(
        out_trade_no=payment.out_trade_no, amount=payment.amount, subject=f"Tribe 订单 {order.number}",
        notify_url=notify_url, return_url=return_url,
    )
    return payment, intent


def handle_notification(gateway: str, headers: dict, body: bytes) -> tuple[int, str, str, str]:
    """Verify and apply a provider notification. Returns (http status, content type, body, outcome)."""
    if gateway not in GATEWAYS or (gateway == "dummy" and "dummy" not in enabled_gateways()):
        raise NotFound("unknown gateway")
    text = body.decode("utf-8", "replace").replace("\x00", "\ufffd")[:20000]  # PostgreSQL text refuses NUL
    adapter = get_gateway(gateway)
    # The platform account verifies first; a store's own account is tried for its payments.
    verified_by = None  # the account whose keys verified it; None = the platform's
    try:
        note = adapter.verify_notification(headers, body)
    except SignatureInvalid as exc:
        found = _verify_with_store_accounts(gateway, headers, body)
        if found is not None:
            note, verified_by = found
        else:
            Notification.objects.create(gateway=gateway, verified=False, outcome=f"rejected: {exc.message}"[:40],
                                        body=text)
            log.warning("rejected %s notification: %s", gateway, exc.message)
            status, ctype, ack = adapter.ack(False)
            return 400, ctype, ack, "rejected"
    verified_by = _reverify_for_payment(gateway, headers, body, note, verified_by)
    outcome, refund = _apply(gateway, note, text, verified_by)
    if refund is not None:
        send_refund(refund.pk)
    status, ctype, ack = adapter.ack(not outcome.startswith("rejected"))
    return status if not outcome.startswith("rejected") else 400, ctype, ack, outcome


def _reverify_for_payment(gateway, headers, body, note, verified_by):
    """If another account's keys verified a notification for this payment, check it with the payment's own."""
    payment = Payment.objects.filter(out_trade_no=note.out_trade_no, gateway=gateway).select_related("account").first()
    if payment is None or payment.account_id == verified_by:
        return verified_by
    config = payment.account.config if payment.account_id else None
    try:
        get_gateway(gateway, config).verify_notification(headers, body)
    except SignatureInvalid:
        return verified_by
    return payment.account_id


def _verify_with_store_accounts(gateway, headers, body):
    for account in PaymentAccount.objects.filter(gateway=gateway, is_active=True):
        try:
            return get_gateway(gateway, account.config).verify_notification(headers, body), account.pk
        except SignatureInvalid:
            continue
    return None


def _apply(gateway: str, note, text: str, verified_by: int | None) -> tuple[str, Refund | None]:
    """Apply a verified notification. A notification only vouches for payments of the account whose keys
    verified it: a store's account can never mark the platform's or another store's payment paid."""
    refund = None
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(out_trade_no=note.out_trade_no, gateway=gateway).first()
        if payment is None:
            outcome = "rejected: unknown payment"
        elif payment.account_id != verified_by:
            outcome = "rejected: wrong account"
        elif note.amount != payment.amount:
            outcome = "rejected: amount mismatch"
        elif payment.status != Payment.Status.CREATED:
            outcome = "duplicate"
        elif not note.succeeded:
            Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.FAILED)
            outcome = "failed"
        else:
            Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.SUCCEEDED,
                                                         provider_txn_id=note.provider_txn_id[:64],
                                                         paid_at=timezone.now())
            if mark_paid(payment.order_id, payment.amount):
                outcome = "paid"
            else:
                # Paid after the order expired, was cancelled, or was already paid by another payment:
                # the units were released (or sold once already), so the money goes back in full.
                refund = Refund.objects.create(payment=payment, out_refund_no=_trade_no("R"), amount=payment.amount,
                                               reason="订单已关闭，自动退款")
                outcome = "late_refunded"
        Notification.objects.create(gateway=gateway, verified=True, out_trade_no=note.out_trade_no[:40],
                                    provider_txn_id=note.provider_txn_id[:64], outcome=outcome, body=text)
    return outcome, refund


def create_refund(order: Order, amount: Decimal, *, reason: str, refund_request_id: int | None = None) -> Refund:
    """A pending refund against the order's successful payment (inside the caller's transaction)."""
    payment = (Payment.objects.select_for_update()
               .filter(order=order, status=Payment.Status.SUCCEEDED).order_by("pk").first())
    if payment is None:
        raise Conflict("the order has no successful payment to refund", code="no_payment")
    if payment.refunded_amount + amount > payment.amount:
        raise ValidationFailed("refund exceeds what was paid", code="refund_exceeds_paid")
    return Refund.objects.create(payment=payment, out_refund_no=_trade_no("R"), amount=amount, reason=reason[:200],
                                 refund_request_id=refund_request_id)


def send_refund(refund_id: int) -> Refund:
    """Ask the provider to return the money (outside any lock), then settle the record."""
    refund = Refund.objects.select_related("payment", "payment__account").get(pk=refund_id)
    if refund.status != Refund.Status.PENDING:
        return refund
    payment = refund.payment
    try:
        result = gateway_for(payment).refund(out_trade_no=payment.out_trade_no, out_refund_no=refund.out_refund_no,
                                             amount=refund.amount, total=payment.amount, reason=refund.reason)
    except Exception as exc:  # noqa: BLE001 - a provider failure leaves the refund retryable, never lost
        log.exception("refund %s failed at the provider", refund.out_refund_no)
        result = None
        message = str(exc)
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        current = Refund.objects.select_for_update().get(pk=refund.pk)
        if current.status != Refund.Status.PENDING:
            return current
        if result is not None and result.succeeded:
            current.status = Refund.Status.SUCCEEDED
            current.provider_refund_id = result.provider_refund_id[:64]
            locked.refunded_amount += current.amount
            if locked.refunded_amount == locked.amount:
                locked.status = Payment.Status.REFUNDED
            locked.save(update_fields=["refunded_amount", "status"])
            current.save(update_fields=["status", "provider_refund_id"])
            record_event("refunded", None, obj=payment.order, props={"amount": str(current.amount),
                                                                      "refund_no": current.out_refund_no})
        else:
            current.status = Refund.Status.FAILED
            current.save(update_fields=["status"])
            log.warning("refund %s failed: %s", current.out_refund_no,
                        result.message if result is not None else message)
    return current


def deliver_late(payment: Payment) -> tuple[int, str, str, str]:
    """Dummy gateway: deliver the success notification of a payment that was told to pay late."""
    from .gateways.dummy import signed_body

    return handle_notification("dummy", {}, signed_body(payment.out_trade_no, payment.amount, True,
                                                        "LATE" + payment.out_trade_no[-10:]))



def pending_refund_ids(older_than_seconds: int = 60) -> list[int]:
    """Refunds left pending (the process stopped between commit and provider call) or failed at the provider."""
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(Refund.objects.filter(status__in=[Refund.Status.PENDING, Refund.Status.FAILED], created_at__lte=cutoff)
               .values_list("pk", flat=True))
    Refund.objects.filter(pk__in=ids, status=Refund.Status.FAILED).update(status=Refund.Status.PENDING)
    return ids
