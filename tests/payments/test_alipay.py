import json
from decimal import Decimal
from urllib.parse import parse_qs, parse_qsl, urlparse

import pytest
from tests.payments.providers import (
    ALIPAY_APP_ID,
    FakeAlipayServer,
    alipay_config,
    alipay_notification,
    alipay_notification_params,
    alipay_sign,
    alipay_sign_content,
    bare,
    form,
    keypair,
)

from tribe.payments.gateways import get_gateway
from tribe.payments.gateways.alipay import AlipayGateway
from tribe.payments.gateways.base import GatewayError, SignatureInvalid


def gateway(**overrides) -> AlipayGateway:
    return AlipayGateway(alipay_config(**overrides))


# -- notifications --------------------------------------------------------------------------------------


def test_signed_notification_verifies_and_decodes():
    # given a payment notification signed with the Alipay key
    body = alipay_notification("T20240615000001", "68.00", trade_no="2024061522001499990000000001")
    # when the adapter verifies it with the Alipay public key
    note = gateway().verify_notification({}, body)
    # then it is a successful payment of 68.00 yuan
    assert (note.out_trade_no, note.provider_txn_id, note.amount, note.succeeded) == (
        "T20240615000001", "2024061522001499990000000001", Decimal("68.00"), True)
    assert note.raw["subject"] == "Tribe 订单 测试"
    assert "sign" not in note.raw


@pytest.mark.parametrize("status, succeeded", [("TRADE_SUCCESS", True), ("TRADE_FINISHED", True),
                                               ("TRADE_CLOSED", False)])
def test_trade_status_maps_to_succeeded(status, succeeded):
    body = alipay_notification("T1", "0.01", trade_status=status)
    note = gateway().verify_notification({}, body)
    assert (note.succeeded, note.amount) == (succeeded, Decimal("0.01"))


def test_waiting_for_payment_is_not_an_outcome():
    # WAIT_BUYER_PAY must never be applied: it would mark a payment failed before the buyer pays
    body = alipay_notification("T1", "10.00", trade_status="WAIT_BUYER_PAY")
    with pytest.raises(SignatureInvalid, match="not final"):
        gateway().verify_notification({}, body)


@pytest.mark.parametrize("field, forged", [
    ("total_amount", "0.01"), ("out_trade_no", "T-SOMEONE-ELSE"), ("trade_status", "TRADE_SUCCESS"),
    ("trade_no", "2024061522001400000000000000"), ("subject", "改过的"),
])
def test_tampered_field_is_rejected(field, forged):
    # given a genuine notification (of a closed trade, so that flipping the status is a change too)
    params = alipay_sign(alipay_notification_params("T1", "68.00", trade_status="TRADE_CLOSED"))
    # when one field is changed after signing
    params[field] = forged
    # then the signature no longer verifies
    with pytest.raises(SignatureInvalid, match="bad signature"):
        gateway().verify_notification({}, form(params))


def test_added_field_is_rejected():
    params = alipay_sign(alipay_notification_params("T1", "68.00"))
    params["refund_fee"] = "68.00"
    with pytest.raises(SignatureInvalid, match="bad signature"):
        gateway().verify_notification({}, form(params))


def test_notification_signed_by_another_key_is_rejected():
    body = alipay_notification("T1", "68.00", key=keypair("attacker"))
    with pytest.raises(SignatureInvalid, match="bad signature"):
        gateway().verify_notification({}, body)


def test_notification_signed_with_the_apps_own_key_is_rejected():
    # the app private key signs requests to Alipay; it must not be able to forge Alipay's notifications
    body = alipay_notification("T1", "68.00", key=keypair("alipay-app"))
    with pytest.raises(SignatureInvalid):
        gateway().verify_notification({}, body)


def test_notification_for_another_app_is_rejected():
    body = alipay_notification("T1", "68.00", app_id="2021999999999999")
    with pytest.raises(SignatureInvalid, match="another app"):
        gateway().verify_notification({}, body)


def test_empty_values_are_not_signed():
    # given a notification with an empty parameter, signed the way Alipay signs (empty values left out)
    params = alipay_notification_params("T1", "68.00", passback_params="")
    assert "passback_params" not in alipay_sign_content(params)
    # then it verifies
    assert gateway().verify_notification({}, form(alipay_sign(params))).amount == Decimal("68.00")


@pytest.mark.parametrize("change", [
    {"sign": ""}, {"sign": "bm90IGEgc2lnbmF0dXJl"}, {"sign": "%%%not base64"}, {"sign_type": "RSA"},
    {"sign_type": ""},
])
def test_bad_sign_or_sign_type_is_rejected(change):
    params = alipay_sign(alipay_notification_params("T1", "68.00"))
    params.update(change)
    with pytest.raises(SignatureInvalid):
        gateway().verify_notification({}, form(params))


@pytest.mark.parametrize("amount", ["abc", "NaN", "-1.00", "1.001", "Infinity", ""])
def test_signed_but_malformed_amount_is_rejected(amount):
    body = alipay_notification("T1", amount)
    with pytest.raises(SignatureInvalid):
        gateway().verify_notification({}, body)


@pytest.mark.parametrize("body", [
    b"", b"garbage", b"\xff\xfe\x00", b"a=1&a=2", b"sign=x&&", "中文=是".encode(), b"=" * 5000,
    b"&".join(b"k%d=v" % i for i in range(500)), b'{"json": true}',
])
def test_garbage_is_rejected_cleanly(body):
    with pytest.raises(SignatureInvalid):
        gateway().verify_notification({}, body)


def test_keys_as_bare_base64_from_the_console_work():
    # the Alipay console shows keys without PEM armour; both forms load
    config = alipay_config(app_private_key=bare(keypair("alipay-app").private_pem),
                           alipay_public_key=bare(keypair("alipay").public_pem))
    note = AlipayGateway(config).verify_notification({}, alipay_notification("T1", "5.00"))
    assert note.amount == Decimal("5.00")


@pytest.mark.parametrize("config", [{}, None, ["not", "a", "dict"], alipay_config(alipay_public_key="junk"),
                                    alipay_config(app_private_key=""), alipay_config(sign_type="RSA")])
def test_unconfigured_or_broken_account_rejects_instead_of_crashing(config):
    adapter = AlipayGateway(config)  # building never fails
    with pytest.raises(SignatureInvalid):
        adapter.verify_notification({}, alipay_notification("T1", "5.00"))


def test_get_gateway_reads_platform_config_from_settings(settings):
    settings.TRIBE_PAYMENT_GATEWAYS = {"alipay": alipay_config()}
    adapter = get_gateway("alipay")
    assert isinstance(adapter, AlipayGateway)
    assert adapter.verify_notification({}, alipay_notification("T1", "1.00")).amount == Decimal("1.00")


# -- paying (no network: a signed URL) --------------------------------------------------------------------


def test_page_pay_is_a_signed_url_for_the_gateway():
    # when a payment is created
    intent = gateway().create_payment(out_trade_no="T20240615000001", amount=Decimal("68"), subject="Tribe 订单 1",
                                      notify_url="https://shop.example.com/payments/notify/alipay/",
                                      return_url="https://shop.example.com/orders/1/")
    # then it is the sandbox gateway with the page-pay parameters
    url = urlparse(intent.pay_url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
    params = dict(parse_qsl(url.query, keep_blank_values=True))
    assert (params["method"], params["app_id"], params["sign_type"], params["charset"]) == (
        "alipay.trade.page.pay", ALIPAY_APP_ID, "RSA2", "utf-8")
    assert params["notify_url"] == "https://shop.example.com/payments/notify/alipay/"
    assert params["return_url"] == "https://shop.example.com/orders/1/"
    assert json.loads(params["biz_content"]) == {"subject": "Tribe 订单 1", "out_trade_no": "T20240615000001",
                                                 "total_amount": "68.00", "product_code": "FAST_INSTANT_TRADE_PAY"}
    # and Alipay (holding the app's public key) accepts the signature
    content = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign")
    keypair("alipay-app").verify(params["sign"], content.encode())


def test_production_gateway_and_configured_urls():
    adapter = gateway(sandbox=False, notify_url="https://a.example/n/", return_url="https://a.example/r/")
    intent = adapter.create_payment(out_trade_no="T1", amount=Decimal("1.50"), subject="s", notify_url="",
                                    return_url="")
    assert intent.pay_url.startswith("https://openapi.alipay.com/gateway.do?")
    params = {k: v[0] for k, v in parse_qs(urlparse(intent.pay_url).query).items()}
    assert (params["notify_url"], params["return_url"]) == ("https://a.example/n/", "https://a.example/r/")


def test_sub_fen_amount_is_refused():
    with pytest.raises(GatewayError):
        gateway().create_payment(out_trade_no="T1", amount=Decimal("1.005"), subject="s", notify_url="",
                                 return_url="")


def test_create_payment_without_config_is_a_gateway_error():
    with pytest.raises(GatewayError, match="not configured"):
        AlipayGateway({}).create_payment(out_trade_no="T1", amount=Decimal("1"), subject="s", notify_url="",
                                         return_url="")


# -- refund and query (the SDK's HTTP call is replaced by a fake Alipay gateway) ----------------------------


def test_refund_sends_yuan_string_and_request_number(monkeypatch):
    server = FakeAlipayServer({"code": "10000", "msg": "Success", "trade_no": "2024061522001499990000000001",
                               "out_trade_no": "T1", "fund_change": "Y", "refund_fee": "20.50"})
    monkeypatch.setattr("alipay.urlopen", server)
    result = gateway().refund(out_trade_no="T1", out_refund_no="R1", amount=Decimal("20.5"), total=Decimal("68.00"),
                              reason="尺码不合适")
    assert (result.succeeded, result.provider_refund_id) == (True, "2024061522001499990000000001")
    [request] = server.requests
    assert request["method"] == "alipay.trade.refund"
    assert request["biz_content"] == {"refund_amount": "20.50", "out_trade_no": "T1", "out_request_no": "R1",
                                      "refund_reason": "尺码不合适"}
    assert urlparse(server.urls[0]).netloc == "openapi-sandbox.dl.alipaydev.com"


def test_refund_business_failure_is_reported(monkeypatch):
    server = FakeAlipayServer({"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_HAS_FINISHED",
                               "sub_msg": "交易已完结"})
    monkeypatch.setattr("alipay.urlopen", server)
    result = gateway().refund(out_trade_no="T1", out_refund_no="R1", amount=Decimal("1.00"), total=Decimal("1.00"),
                              reason="")
    assert (result.succeeded, result.message) == (False, "40004 ACQ.TRADE_HAS_FINISHED 交易已完结")
    assert "refund_reason" not in server.requests[0]["biz_content"]


def test_refund_answer_with_a_forged_signature_is_a_gateway_error(monkeypatch):
    server = FakeAlipayServer({"code": "10000", "trade_no": "X"}, key=keypair("attacker"))
    monkeypatch.setattr("alipay.urlopen", server)
    with pytest.raises(GatewayError, match="refund failed"):
        gateway().refund(out_trade_no="T1", out_refund_no="R1", amount=Decimal("1.00"), total=Decimal("1.00"),
                         reason="")


def test_unsigned_error_answer_is_a_gateway_error(monkeypatch):
    monkeypatch.setattr("alipay.urlopen", FakeAlipayServer({"code": "40002", "msg": "Invalid Arguments"},
                                                           signed=False))
    with pytest.raises(GatewayError):
        gateway().query("T1")


def test_network_failure_is_a_gateway_error():
    # the autouse no_network fixture refuses the SDK's real urlopen
    with pytest.raises(GatewayError, match="query failed"):
        gateway().query("T1")


def test_query_paid_trade(monkeypatch):
    server = FakeAlipayServer({"code": "10000", "msg": "Success", "trade_no": "2024061522001499990000000001",
                               "out_trade_no": "T1", "trade_status": "TRADE_SUCCESS", "total_amount": "68.00"})
    monkeypatch.setattr("alipay.urlopen", server)
    note = gateway().query("T1")
    assert (note.out_trade_no, note.provider_txn_id, note.amount, note.succeeded) == (
        "T1", "2024061522001499990000000001", Decimal("68.00"), True)
    assert (server.requests[0]["method"], server.requests[0]["biz_content"]) == ("alipay.trade.query",
                                                                                  {"out_trade_no": "T1"})


@pytest.mark.parametrize("payload", [
    {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST", "sub_msg": "交易不存在"},
    {"code": "10000", "trade_no": "2", "out_trade_no": "T1", "trade_status": "WAIT_BUYER_PAY",
     "total_amount": "68.00"},
])
def test_query_without_a_final_state_is_none(monkeypatch, payload):
    monkeypatch.setattr("alipay.urlopen", FakeAlipayServer(payload))
    assert gateway().query("T1") is None


def test_ack_is_plain_text():
    assert gateway().ack(True) == (200, "text/plain; charset=utf-8", "success")
    assert gateway().ack(False) == (400, "text/plain; charset=utf-8", "fail")
