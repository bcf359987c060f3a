import json
import time
from decimal import Decimal

import pytest
import time_machine
from tests.payments.providers import (
    APIV3_KEY,
    WECHAT_APPID,
    WECHAT_MCHID,
    WECHAT_MERCHANT_SERIAL,
    WECHAT_PUBLIC_KEY_ID,
    FakeWechatHttp,
    encrypt_resource,
    keypair,
    wechat_config,
    wechat_notification,
    wechat_sign_headers,
    wechat_transaction,
)

from tribe.payments.gateways.base import GatewayError, SignatureInvalid
from tribe.payments.gateways.wechat import WechatPayGateway, from_fen, to_fen


def gateway(**overrides) -> WechatPayGateway:
    return WechatPayGateway(wechat_config(**overrides))


@pytest.fixture
def wechat_http(monkeypatch):
    """Replace the SDK's HTTP layer with a fake api.mch.weixin.qq.com."""
    fake = FakeWechatHttp()
    monkeypatch.setattr("wechatpayv3.core.requests", fake)
    return fake


# -- notifications --------------------------------------------------------------------------------------


def test_signed_encrypted_notification_verifies_and_decrypts():
    # given WeChat Pay's notification of a 68.00 yuan payment (6800 fen)
    headers, body = wechat_notification(wechat_transaction("T20240615000001", 6800))
    # when the adapter verifies it with the platform public key and decrypts it with the APIv3 key
    note = gateway().verify_notification(headers, body)
    # then
    assert (note.out_trade_no, note.provider_txn_id, note.amount, note.succeeded) == (
        "T20240615000001", "4200002024061512345678901", Decimal("68.00"), True)
    assert note.raw["payer"] == {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}


@pytest.mark.parametrize("fen, yuan", [(1, "0.01"), (99, "0.99"), (100, "1.00"), (15350, "153.50"),
                                       (999999999999, "9999999999.99")])
def test_fen_become_yuan_exactly(fen, yuan):
    headers, body = wechat_notification(wechat_transaction("T1", fen))
    assert gateway().verify_notification(headers, body).amount == Decimal(yuan)
    assert to_fen(Decimal(yuan)) == fen


def test_headers_in_any_case_or_django_meta_spelling_verify():
    headers, body = wechat_notification(wechat_transaction("T1", 100))
    lower = {k.lower(): v for k, v in headers.items()}
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    assert gateway().verify_notification(lower, body).amount == Decimal("1.00")
    assert gateway().verify_notification(meta, body).amount == Decimal("1.00")


def test_tampered_body_is_rejected():
    headers, body = wechat_notification(wechat_transaction("T1", 6800))
    tampered = body.replace(b'"summary":"\xe6\x94\xaf\xe4\xbb\x98\xe6\x88\x90\xe5\x8a\x9f"', b'"summary":"x"')
    assert tampered != body
    with pytest.raises(SignatureInvalid, match="bad signature"):
        gateway().verify_notification(headers, tampered)


def test_swapped_ciphertext_is_rejected():
    # given a genuine signature, and a resource for a bigger amount encrypted by someone holding the APIv3 key
    headers, body = wechat_notification(wechat_transaction("T1", 1))
    forged = json.loads(body)
    forged["resource"] = encrypt_resource(wechat_transaction("T1", 999900))
    with pytest.raises(SignatureInvalid, match="bad signature"):
        gateway().verify_notification(headers, json.dumps(forged, separators=(",", ":")).encode())


@pytest.mark.parametrize("header", ["Wechatpay-Timestamp", "Wechatpay-Nonce"])
def test_tampered_signed_header_is_rejected(header):
    headers, body = wechat_notification(wechat_transaction("T1", 6800))
    headers[header] = str(int(time.time()) - 1) if header == "Wechatpay-Timestamp" else "another-nonce"
    with pytest.raises(SignatureInvalid, match="bad signature"):
        gateway().verify_notification(headers, body)


def test_wrong_serial_is_rejected_without_any_network_call():
    # the SDK's own callback() would try to download platform certificates for an unknown serial
    headers, body = wechat_notification(wechat_transaction("T1", 6800), serial="5157F09EFDC096DE15EBE81A47057A72")
    with pytest.raises(SignatureInvalid, match="unknown serial"):
        gateway().verify_notification(headers, body)


def test_signature_by_another_key_is_rejected():
    headers, body = wechat_notification(wechat_transaction("T1", 6800), key=keypair("attacker"))
    with pytest.raises(SignatureInvalid, match="bad signature"):
        gateway().verify_notification(headers, body)


def test_signature_by_the_merchants_own_key_is_rejected():
    headers, body = wechat_notification(wechat_transaction("T1", 6800), key=keypair("wechat-merchant"))
    with pytest.raises(SignatureInvalid, match="bad signature"):
        gateway().verify_notification(headers, body)


def test_resource_encrypted_with_another_apiv3_key_is_rejected():
    headers, body = wechat_notification(wechat_transaction("T1", 6800), apiv3_key="z" * 32)
    with pytest.raises(SignatureInvalid, match="does not decrypt"):
        gateway().verify_notification(headers, body)


@pytest.mark.parametrize("age", [301, 3600, -301])
def test_stale_or_future_timestamp_is_rejected(age):
    headers, body = wechat_notification(wechat_transaction("T1", 6800), timestamp=int(time.time()) - age)
    with pytest.raises(SignatureInvalid, match="stale"):
        gateway().verify_notification(headers, body)


def test_replay_after_five_minutes_is_rejected():
    # given a notification that verifies now
    headers, body = wechat_notification(wechat_transaction("T1", 6800))
    assert gateway().verify_notification(headers, body).amount == Decimal("68.00")
    # when it is replayed six minutes later, it is refused
    with time_machine.travel(time.time() + 360):
        with pytest.raises(SignatureInvalid, match="stale"):
            gateway().verify_notification(headers, body)


@pytest.mark.parametrize("change", [
    {"Wechatpay-Signature": ""}, {"Wechatpay-Serial": ""}, {"Wechatpay-Timestamp": "soon"},
    {"Wechatpay-Timestamp": "１７００００００００"}, {"Wechatpay-Signature": "!!not base64!!"},
    {"Wechatpay-Signature-Type": "WECHATPAY2-SM2-WITH-SM3"},
])
def test_bad_headers_are_rejected(change):
    headers, body = wechat_notification(wechat_transaction("T1", 6800))
    headers.update(change)
    with pytest.raises(SignatureInvalid):
        gateway().verify_notification(headers, body)


def test_notification_for_another_merchant_is_rejected():
    headers, body = wechat_notification(wechat_transaction("T1", 6800, mchid="1900000999"))
    with pytest.raises(SignatureInvalid, match="another mchid"):
        gateway().verify_notification(headers, body)


@pytest.mark.parametrize("state, succeeded", [("SUCCESS", True), ("CLOSED", False), ("PAYERROR", False)])
def test_trade_state(state, succeeded):
    headers, body = wechat_notification(wechat_transaction("T1", 6800, trade_state=state))
    assert gateway().verify_notification(headers, body).succeeded is succeeded


def test_unpaid_state_is_not_an_outcome():
    headers, body = wechat_notification(wechat_transaction("T1", 6800, trade_state="NOTPAY"))
    with pytest.raises(SignatureInvalid, match="not final"):
        gateway().verify_notification(headers, body)


@pytest.mark.parametrize("amount", [{"total": "6800"}, {"total": 68.0}, {"total": -1}, {"total": True},
                                    {"total": 6800, "currency": "USD"}, "6800", None])
def test_signed_but_malformed_amount_is_rejected(amount):
    transaction = wechat_transaction("T1", 6800)
    transaction["amount"] = amount
    headers, body = wechat_notification(transaction)
    with pytest.raises(SignatureInvalid, match="amount"):
        gateway().verify_notification(headers, body)


@pytest.mark.parametrize("body", [b"", b"garbage", b"\xff\xfe", b"[]", b"[" * 100000, b'{"resource": 1}'])
def test_garbage_signed_or_not_is_rejected_cleanly(body):
    with pytest.raises(SignatureInvalid):
        gateway().verify_notification({}, body)
    # even correctly signed garbage is refused
    with pytest.raises(SignatureInvalid):
        gateway().verify_notification(wechat_sign_headers(body), body)


@pytest.mark.parametrize("resource", [
    {"algorithm": "AEAD_AES_256_GCM"}, {"algorithm": "AES_CBC", "nonce": "n", "ciphertext": "c"},
    {"algorithm": "AEAD_AES_256_GCM", "nonce": "", "ciphertext": "AAAA"},
    {"algorithm": "AEAD_AES_256_GCM", "nonce": "123456789012", "ciphertext": "%%%"},
    {"algorithm": "AEAD_AES_256_GCM", "nonce": 5, "ciphertext": 7},
    {"original_type": "refund", "algorithm": "AEAD_AES_256_GCM", "nonce": "123456789012", "ciphertext": "AAAA"},
])
def test_signed_but_broken_resource_is_rejected(resource):
    body = json.dumps({"resource_type": "encrypt-resource", "resource": resource}).encode()
    with pytest.raises(SignatureInvalid):
        gateway().verify_notification(wechat_sign_headers(body), body)


@pytest.mark.parametrize("config", [{}, None, "x", wechat_config(apiv3_key="short"),
                                    wechat_config(public_key="not a key"), wechat_config(public_key_id="")])
def test_unconfigured_or_broken_account_rejects_instead_of_crashing(config):
    headers, body = wechat_notification(wechat_transaction("T1", 6800))
    with pytest.raises(SignatureInvalid):
        WechatPayGateway(config).verify_notification(headers, body)


def test_verifying_needs_no_merchant_private_key():
    headers, body = wechat_notification(wechat_transaction("T1", 6800))
    assert gateway(private_key="").verify_notification(headers, body).amount == Decimal("68.00")


# -- Native pay, query, refund (the SDK's HTTP layer is a fake WeChat Pay server) ----------------------------


def test_building_a_client_makes_no_network_call():
    # public key mode: no platform certificate download (no_network would fail the test)
    assert gateway().client is not None


def test_native_pay_returns_the_code_url(wechat_http):
    wechat_http.payload = {"code_url": "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"}
    # when
    intent = gateway().create_payment(out_trade_no="T20240615000001", amount=Decimal("68.00"),
                                      subject="Tribe 订单 20240615", notify_url="https://s.example/payments/notify/wechat/",
                                      return_url="")
    # then the buyer's page gets the code_url to show as a QR code
    assert (intent.pay_url, intent.params) == ("", {"code_url": "weixin://wxpay/bizpayurl?pr=p4lpSuKzz"})
    [call] = wechat_http.calls
    assert (call["method"], call["url"]) == ("POST", "https://api.mch.weixin.qq.com/v3/pay/transactions/native")
    assert call["json"] == {"notify_url": "https://s.example/payments/notify/wechat/",
                            "description": "Tribe 订单 20240615", "out_trade_no": "T20240615000001",
                            "amount": {"total": 6800, "currency": "CNY"}, "appid": WECHAT_APPID,
                            "mchid": WECHAT_MCHID}
    # and the request is signed with the merchant key, naming the public key it expects answers signed with
    assert call["headers"]["Wechatpay-Serial"] == WECHAT_PUBLIC_KEY_ID
    auth = call["headers"]["Authorization"]
    scheme, _, rest = auth.partition(" ")
    fields = dict(part.split("=", 1) for part in rest.split(","))
    fields = {k: v.strip('"') for k, v in fields.items()}
    assert (scheme, fields["mchid"], fields["serial_no"]) == ("WECHATPAY2-SHA256-RSA2048", WECHAT_MCHID,
                                                              WECHAT_MERCHANT_SERIAL)
    message = (f"POST\n/v3/pay/transactions/native\n{fields['timestamp']}\n{fields['nonce_str']}\n"
               f"{json.dumps(call['json'])}\n")
    keypair("wechat-merchant").verify(fields["signature"], message.encode())


def test_native_pay_uses_the_configured_notify_url(wechat_http):
    wechat_http.payload = {"code_url": "weixin://wxpay/bizpayurl?pr=x"}
    gateway().create_payment(out_trade_no="T1", amount=Decimal("0.01"), subject="s", notify_url="", return_url="")
    assert wechat_http.calls[0]["json"]["notify_url"] == "https://shop.example.com/payments/notify/wechat/"
    assert wechat_http.calls[0]["json"]["amount"] == {"total": 1, "currency": "CNY"}


def test_native_pay_without_notify_url_is_refused():
    with pytest.raises(GatewayError, match="notify_url"):
        gateway(notify_url="").create_payment(out_trade_no="T1", amount=Decimal("1"), subject="s", notify_url="",
                                              return_url="")


def test_native_pay_answer_with_a_forged_signature_is_a_gateway_error(wechat_http):
    wechat_http.payload = {"code_url": "weixin://wxpay/bizpayurl?pr=evil"}
    wechat_http.key = keypair("attacker")
    with pytest.raises(GatewayError, match="failed"):
        gateway().create_payment(out_trade_no="T1", amount=Decimal("1"), subject="s", notify_url="https://x/",
                                 return_url="")


def test_native_pay_error_answer_is_a_gateway_error(wechat_http):
    wechat_http.status, wechat_http.payload = 400, {"code": "PARAM_ERROR", "message": "参数错误"}
    with pytest.raises(GatewayError, match="HTTP 400 PARAM_ERROR"):
        gateway().create_payment(out_trade_no="T1", amount=Decimal("1"), subject="s", notify_url="https://x/",
                                 return_url="")


def test_network_failure_is_a_gateway_error():
    # no fake: the SDK's real requests.post meets the no_network fixture
    with pytest.raises(GatewayError):
        gateway().create_payment(out_trade_no="T1", amount=Decimal("1"), subject="s", notify_url="https://x/",
                                 return_url="")


def test_refund_sends_fen(wechat_http):
    wechat_http.payload = {"refund_id": "50000000382019052709732678859", "out_refund_no": "R1", "status": "PROCESSING",
                           "amount": {"refund": 2050, "total": 6800, "currency": "CNY"}}
    result = gateway().refund(out_trade_no="T1", out_refund_no="R1", amount=Decimal("20.50"), total=Decimal("68.00"),
                              reason="尺码不合适")
    assert (result.succeeded, result.provider_refund_id, result.message) == (
        True, "50000000382019052709732678859", "PROCESSING")
    [call] = wechat_http.calls
    assert (call["method"], call["url"]) == ("POST", "https://api.mch.weixin.qq.com/v3/refund/domestic/refunds")
    assert call["json"] == {"out_refund_no": "R1", "out_trade_no": "T1", "reason": "尺码不合适",
                            "amount": {"refund": 2050, "total": 6800, "currency": "CNY"}}


@pytest.mark.parametrize("status, payload", [
    (200, {"refund_id": "5", "status": "ABNORMAL"}),
    (403, {"code": "NOT_ENOUGH", "message": "基本账户余额不足"}),
])
def test_refund_refused(wechat_http, status, payload):
    wechat_http.status, wechat_http.payload = status, payload
    result = gateway().refund(out_trade_no="T1", out_refund_no="R1", amount=Decimal("1"), total=Decimal("1"),
                              reason="")
    assert result.succeeded is False
    assert "reason" not in wechat_http.calls[0]["json"]


def test_query_paid_transaction(wechat_http):
    wechat_http.payload = wechat_transaction("T1", 6800)
    note = gateway().query("T1")
    assert (note.out_trade_no, note.amount, note.succeeded) == ("T1", Decimal("68.00"), True)
    assert wechat_http.calls[0]["url"] == f"https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/T1?mchid={WECHAT_MCHID}"
    assert wechat_http.calls[0]["method"] == "GET"


@pytest.mark.parametrize("status, payload", [
    (404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"}),
    (200, wechat_transaction("T1", 6800, trade_state="NOTPAY")),
])
def test_query_without_a_final_state_is_none(wechat_http, status, payload):
    wechat_http.status, wechat_http.payload = status, payload
    assert gateway().query("T1") is None


def test_injected_client_is_used():
    class FakeClient:
        def query(self, out_trade_no):
            return 200, json.dumps(wechat_transaction(out_trade_no, 1))

    adapter = WechatPayGateway(wechat_config(), client=FakeClient())
    assert adapter.query("T9").amount == Decimal("0.01")


def test_fen_conversion_refuses_fractions():
    with pytest.raises(GatewayError):
        to_fen(Decimal("0.001"))
    with pytest.raises(SignatureInvalid):
        from_fen(1.5)
    assert len(APIV3_KEY) == 32


def test_ack_is_json_code():
    assert gateway().ack(True) == (200, "application/json; charset=utf-8", '{"code": "SUCCESS"}')
    status, ctype, body = gateway().ack(False)
    assert (status, ctype, json.loads(body)) == (400, "application/json; charset=utf-8",
                                                 {"code": "FAIL", "message": "失败"})
