"""End to end through POST /payments/notify/<gateway>/: an order placed with the orders helpers, a payment
started with the real gateway adapters, and the provider's notification played by the test."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from tests.orders.conftest import checkout, sku_of
from tests.payments.providers import (
    FakeAlipayServer,
    FakeWechatHttp,
    alipay_config,
    alipay_notification,
    keypair,
    wechat_notification,
    wechat_transaction,
)

from tribe.catalog.models import Sku
from tribe.orders.models import Order
from tribe.orders.services import run_due
from tribe.payments.gateways.dummy import signed_body
from tribe.payments.models import Notification, Payment, PaymentAccount, Refund
from tribe.payments.services import start_payment

S = Order.Status
ALIPAY_URL = "/payments/notify/alipay/"
WECHAT_URL = "/payments/notify/wechat/"
FORM = "application/x-www-form-urlencoded; charset=utf-8"


@pytest.fixture
def wechat_http(monkeypatch):
    fake = FakeWechatHttp(payload={"code_url": "weixin://wxpay/bizpayurl?pr=test"})
    monkeypatch.setattr("wechatpayv3.core.requests", fake)
    return fake


@pytest.fixture
def order(shop, buyer):
    return checkout(buyer, [(sku_of(shop["a"]), 1)])  # 60.00 + 8.00 shipping


def post_alipay(client, body: bytes):
    return client.post(ALIPAY_URL, data=body, content_type=FORM)


def post_wechat(client, headers: dict, body: bytes):
    return client.post(WECHAT_URL, data=body, content_type="application/json", headers=headers)


def fen(amount: Decimal) -> int:
    return int(amount * 100)


def test_notify_url_is_routed():
    assert reverse("payments:notify", args=["alipay"]) == ALIPAY_URL


def test_alipay_notification_twice_pays_once(client, gateways, buyer, order, shop):
    # given an Alipay payment for the order
    payment, intent = start_payment(buyer, order.pk, "alipay")
    assert intent.pay_url.startswith("https://openapi-sandbox.dl.alipaydev.com/gateway.do?")
    body = alipay_notification(payment.out_trade_no, str(payment.amount), trade_no="2024061522001400000000000042")
    # when Alipay posts the notification, and posts it again
    first = post_alipay(client, body)
    second = post_alipay(client, body)
    # then both are acknowledged, the order is paid once and the second is a duplicate
    assert (first.status_code, first.content, first["Content-Type"]) == (200, b"success", "text/plain; charset=utf-8")
    assert (second.status_code, second.content) == (200, b"success")
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, order.paid_total) == (S.PAID, Decimal("68.00"))
    assert (payment.status, payment.provider_txn_id) == (Payment.Status.SUCCEEDED, "2024061522001400000000000042")
    assert list(Notification.objects.order_by("pk").values_list("verified", "outcome", "out_trade_no")) == [
        (True, "paid", payment.out_trade_no), (True, "duplicate", payment.out_trade_no)]
    assert Sku.objects.get(pk=sku_of(shop["a"]).pk).stock == 9
    assert order.logs.filter(to_status=S.PAID).count() == 1


def test_forged_alipay_notification_is_rejected_and_logged(client, gateways, buyer, order):
    payment, _ = start_payment(buyer, order.pk, "alipay")
    body = alipay_notification(payment.out_trade_no, str(payment.amount), key=keypair("attacker"))
    response = post_alipay(client, body)
    assert (response.status_code, response.content) == (400, b"fail")
    note = Notification.objects.get()
    assert (note.gateway, note.verified, note.outcome) == (
        "alipay", False, "rejected: bad signature")
    assert payment.out_trade_no in note.body
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (S.PENDING_PAYMENT, Payment.Status.CREATED)


def test_alipay_notification_with_the_wrong_amount_is_rejected(client, gateways, buyer, order):
    # a genuinely signed notification whose amount is not the payment's is not applied
    payment, _ = start_payment(buyer, order.pk, "alipay")
    response = post_alipay(client, alipay_notification(payment.out_trade_no, "0.01"))
    assert (response.status_code, response.content) == (400, b"fail")
    assert list(Notification.objects.values_list("verified", "outcome")) == [(True, "rejected: amount mismatch")]
    order.refresh_from_db()
    assert order.status == S.PENDING_PAYMENT


def test_alipay_notification_for_an_unknown_payment_is_rejected(client, db, gateways):
    response = post_alipay(client, alipay_notification("T-NOT-OURS", "1.00"))
    assert response.status_code == 400
    assert Notification.objects.get().outcome == "rejected: unknown payment"


def test_wechat_notification_twice_pays_once(client, gateways, wechat_http, buyer, order):
    # given a WeChat Native payment (the SDK's HTTP call answered by the fake server)
    payment, intent = start_payment(buyer, order.pk, "wechat")
    assert intent.params == {"code_url": "weixin://wxpay/bizpayurl?pr=test"}
    assert wechat_http.calls[0]["json"]["amount"] == {"total": 6800, "currency": "CNY"}
    headers, body = wechat_notification(wechat_transaction(payment.out_trade_no, fen(payment.amount)))
    # when WeChat Pay posts the notification twice
    first = post_wechat(client, headers, body)
    second = post_wechat(client, headers, body)
    # then
    assert (first.status_code, first.json(), second.status_code, second.json()) == (
        200, {"code": "SUCCESS"}, 200, {"code": "SUCCESS"})
    order.refresh_from_db()
    assert (order.status, order.paid_total) == (S.PAID, Decimal("68.00"))
    assert list(Notification.objects.order_by("pk").values_list("gateway", "verified", "outcome")) == [
        ("wechat", True, "paid"), ("wechat", True, "duplicate")]


@pytest.mark.parametrize("forgery, outcome", [
    ("attacker_key", "rejected: bad signature"), ("tampered", "rejected: bad signature"),
    ("stale", "rejected: stale timestamp"), ("wrong_serial", "rejected: unknown serial"),
    ("wrong_apiv3", "rejected: resource does not decrypt"),
])
def test_forged_wechat_notification_is_rejected_and_logged(client, gateways, wechat_http, buyer, order, forgery,
                                                           outcome):
    payment, _ = start_payment(buyer, order.pk, "wechat")
    transaction = wechat_transaction(payment.out_trade_no, fen(payment.amount))
    kwargs = {"attacker_key": {"key": keypair("attacker")},
              "stale": {"timestamp": int(timezone.now().timestamp()) - 600},
              "wrong_serial": {"serial": "PUB_KEY_ID_0000000000"}, "wrong_apiv3": {"apiv3_key": "x" * 32}}
    headers, body = wechat_notification(transaction, **kwargs.get(forgery, {}))
    if forgery == "tampered":
        body = body.replace(b"TRANSACTION.SUCCESS", b"TRANSACTION.SUCCES5")
    response = post_wechat(client, headers, body)
    assert (response.status_code, response.json()) == (400, {"code": "FAIL", "message": "失败"})
    note = Notification.objects.get()
    assert (note.gateway, note.verified, note.outcome) == ("wechat", False, outcome)
    order.refresh_from_db()
    assert order.status == S.PENDING_PAYMENT


def test_store_account_verifies_its_own_notifications(client, gateways, buyer, order, shop):
    # given store A has its own Alipay account (its own app and Alipay keys)
    store_config = alipay_config(app_id="2021000000000777", app_private_key=keypair("store-app").private_pem,
                                 alipay_public_key=keypair("store-alipay").public_pem)
    PaymentAccount.objects.create(store=shop["store_a"], gateway="alipay", config=store_config)
    payment, intent = start_payment(buyer, order.pk, "alipay")
    assert payment.account.store_id == shop["store_a"].pk
    assert "app_id=2021000000000777" in intent.pay_url
    # when Alipay notifies for the store's app, signed with the key of the store's Alipay account
    body = alipay_notification(payment.out_trade_no, str(payment.amount), app_id="2021000000000777",
                               key=keypair("store-alipay"))
    response = post_alipay(client, body)
    # then the platform account does not verify it, the store's does, and the order is paid
    assert (response.status_code, response.content) == (200, b"success")
    order.refresh_from_db()
    assert order.status == S.PAID


def test_a_store_account_cannot_vouch_for_another_accounts_payment(client, gateways, buyer, order, shop):
    # given store B configured its own Alipay account with a "public key" whose private half it holds
    forger_config = alipay_config(app_id=alipay_config()["app_id"], alipay_public_key=keypair("forger").public_pem)
    PaymentAccount.objects.create(store=shop["store_b"], gateway="alipay", config=forger_config)
    # and the buyer pays store A's order through the platform's account
    payment, _ = start_payment(buyer, order.pk, "alipay")
    assert payment.account is None
    # when store B forges Alipay's notification for that payment with its own key
    response = post_alipay(client, alipay_notification(payment.out_trade_no, str(payment.amount),
                                                       key=keypair("forger")))
    # then it must be rejected: only the platform's Alipay key speaks for a platform payment
    order.refresh_from_db()
    assert (response.status_code, order.status) == (400, S.PENDING_PAYMENT)


def test_late_alipay_payment_is_refunded_through_alipay(client, gateways, buyer, order, shop, monkeypatch):
    # given an Alipay payment whose order expires before the notification arrives
    payment, _ = start_payment(buyer, order.pk, "alipay")
    server = FakeAlipayServer({"code": "10000", "msg": "Success", "trade_no": "2024061522001400000000000099",
                               "out_trade_no": payment.out_trade_no, "fund_change": "Y", "refund_fee": "68.00"})
    monkeypatch.setattr("alipay.urlopen", server)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert run_due()["expired"] == 1
        # when the payment notification arrives late
        response = post_alipay(client, alipay_notification(payment.out_trade_no, str(payment.amount)))
    # then it is acknowledged, and the money goes back through Alipay in full
    assert (response.status_code, response.content) == (200, b"success")
    assert Notification.objects.get().outcome == "late_refunded"
    refund = Refund.objects.get(payment=payment)
    assert (refund.status, refund.amount, refund.provider_refund_id) == (
        Refund.Status.SUCCEEDED, Decimal("68.00"), "2024061522001400000000000099")
    [request] = server.requests
    assert request["biz_content"]["refund_amount"] == "68.00"
    assert request["biz_content"]["out_request_no"] == refund.out_refund_no
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (S.EXPIRED, Payment.Status.REFUNDED)
    assert Sku.objects.get(pk=sku_of(shop["a"]).pk).stock == 10


def test_dummy_gateway_through_the_endpoint(client, buyer, order):
    payment, _ = start_payment(buyer, order.pk, "dummy")
    body = signed_body(payment.out_trade_no, payment.amount, True, "DUMMYTXN1")
    first = client.post("/payments/notify/dummy/", data=body, content_type="application/json")
    again = client.post("/payments/notify/dummy/", data=body, content_type="application/json")
    assert (first.status_code, first.json(), again.status_code) == (200, {"code": "SUCCESS"}, 200)
    order.refresh_from_db()
    assert order.status == S.PAID
    assert list(Notification.objects.order_by("pk").values_list("outcome", flat=True)) == ["paid", "duplicate"]


def test_forged_dummy_notification_is_rejected(client, buyer, order):
    payment, _ = start_payment(buyer, order.pk, "dummy")
    forged = json.loads(signed_body(payment.out_trade_no, payment.amount, True, "T"))
    forged["data"]["amount"] = "0.01"
    response = client.post("/payments/notify/dummy/", data=json.dumps(forged), content_type="application/json")
    assert (response.status_code, response.json()) == (400, {"code": "FAIL"})
    assert Notification.objects.get().verified is False
    order.refresh_from_db()
    assert order.status == S.PENDING_PAYMENT


def test_unknown_gateway_is_404(client, db):
    assert client.post("/payments/notify/paypal/", data=b"x", content_type="text/plain").status_code == 404
    assert not Notification.objects.exists()


def test_only_post_is_allowed(client, db):
    assert client.get(ALIPAY_URL).status_code == 405


GARBAGE = [b"", b"garbage", b"\x00\x01\x02 nul bytes", b"\xff\xfe\xfd", b"[" * 50000, b"{" * 50000,
           b'{"data": [], "sign": 1}', b'{"data": {"amount": "NaN"}, "sign": "x"}', b"sign=&sign_type=RSA2",
           b"a=1&a=2", "中文".encode(), b"%00=%00&sign=%ff", b"%00=1&%00=2", b"[]", b"null", b"1e999999"]


@pytest.mark.parametrize("gateway", ["alipay", "wechat", "dummy"])
def test_garbage_is_never_a_500(client, db, gateways, gateway):
    # the WeChat headers are well-formed but sign something else
    headers, _ = wechat_notification(wechat_transaction("T1", 1))
    for body in GARBAGE:
        response = client.post(f"/payments/notify/{gateway}/", data=body, content_type=FORM, headers=headers)
        assert response.status_code == 400, (gateway, body[:20])
    assert Notification.objects.filter(gateway=gateway, verified=False).count() == len(GARBAGE)


def test_unconfigured_gateway_rejects_instead_of_crashing(client, db, settings):
    settings.TRIBE_PAYMENT_GATEWAYS = {"dummy": {}}
    assert post_alipay(client, alipay_notification("T1", "1.00")).status_code == 400
    headers, body = wechat_notification(wechat_transaction("T1", 100))
    assert post_wechat(client, headers, body).status_code == 400
    assert Notification.objects.filter(verified=False).count() == 2
