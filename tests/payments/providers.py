"""The tests play Alipay and WeChat Pay: they hold the providers' private keys (generated here, never real)
and sign notifications and API answers the way the providers do, written independently of the SDKs the
adapters use, so a test passing means the adapter agrees with the providers' documented formats."""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


@dataclass(frozen=True)
class KeyPair:
    private: rsa.RSAPrivateKey

    @property
    def private_pem(self) -> str:
        return self.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()).decode()

    @property
    def public_pem(self) -> str:
        return self.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def sign(self, message: bytes) -> str:
        """SHA256withRSA, PKCS#1 v1.5, base64: what Alipay RSA2 and WeChat Pay v3 both use."""
        return base64.b64encode(self.private.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()

    def verify(self, signature: str, message: bytes) -> None:
        self.private.public_key().verify(base64.b64decode(signature), message, padding.PKCS1v15(), hashes.SHA256())


@cache
def keypair(name: str) -> KeyPair:
    """One RSA-2048 key per role, generated once per test run."""
    return KeyPair(rsa.generate_private_key(public_exponent=65537, key_size=2048))


def bare(pem: str) -> str:
    """A PEM's base64 body on one line: how the Alipay console shows keys."""
    return "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))


# -- Alipay ------------------------------------------------------------------------------------------------

ALIPAY_APP_ID = "2021000000000001"


def alipay_config(**overrides) -> dict:
    config = {"app_id": ALIPAY_APP_ID, "app_private_key": keypair("alipay-app").private_pem,
              "alipay_public_key": keypair("alipay").public_pem, "sandbox": True, "sign_type": "RSA2"}
    config.update(overrides)
    return config


def alipay_sign_content(params: dict) -> str:
    """Alipay's string to sign: all params but sign/sign_type with a non-empty value, sorted, k=v joined by &."""
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in ("sign", "sign_type") and v != "")


def alipay_notification_params(out_trade_no: str, total_amount: str, *, trade_status: str = "TRADE_SUCCESS",
                               trade_no: str = "2024061522001400001234567890", **extra) -> dict:
    params = {
        "gmt_create": "2024-06-15 10:00:00", "charset": "utf-8", "gmt_payment": "2024-06-15 10:00:05",
        "notify_time": "2024-06-15 10:00:06", "subject": "Tribe 订单 测试", "buyer_id": "2088102177846880",
        "invoice_amount": total_amount, "version": "1.0", "notify_id": "2024061500222100006" + secrets.token_hex(4),
        "fund_bill_list": json.dumps([{"amount": total_amount, "fundChannel": "ALIPAYACCOUNT"}]),
        "notify_type": "trade_status_sync", "out_trade_no": out_trade_no, "total_amount": total_amount,
        "trade_status": trade_status, "trade_no": trade_no, "auth_app_id": ALIPAY_APP_ID,
        "receipt_amount": total_amount, "point_amount": "0.00", "buyer_pay_amount": total_amount,
        "app_id": ALIPAY_APP_ID, "seller_id": "2088102177649450",
    }
    params.update(extra)
    return params


def alipay_sign(params: dict, key: KeyPair | None = None) -> dict:
    signed = dict(params)
    signed["sign"] = (key or keypair("alipay")).sign(alipay_sign_content(params).encode())
    signed["sign_type"] = "RSA2"
    return signed


def form(params: dict) -> bytes:
    """application/x-www-form-urlencoded, as Alipay posts it."""
    return urlencode(params).encode()


def alipay_notification(out_trade_no: str, total_amount: str, *, key: KeyPair | None = None, **kwargs) -> bytes:
    return form(alipay_sign(alipay_notification_params(out_trade_no, total_amount, **kwargs), key))


class FakeAlipayResponse:
    def __init__(self, raw: bytes):
        self.raw = raw

    def read(self) -> bytes:
        return self.raw


@dataclass
class FakeAlipayServer:
    """Stands in for `alipay.urlopen`: records each request URL and answers with a response signed by the
    Alipay key, as the Alipay gateway does ({"<method>_response": {...}, "sign": "..."})."""

    payload: dict
    key: KeyPair = field(default_factory=lambda: keypair("alipay"))
    signed: bool = True
    urls: list = field(default_factory=list)

    def __call__(self, url, timeout=None):
        from urllib.parse import parse_qs, urlparse

        self.urls.append(url)
        query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
        response_type = query["method"].replace(".", "_") + "_response"
        inner = json.dumps(self.payload, ensure_ascii=False, separators=(",", ":"))
        if not self.signed:
            return FakeAlipayResponse(f'{{"error_response":{inner}}}'.encode())
        sign = self.key.sign(inner.encode())
        return FakeAlipayResponse(f'{{"{response_type}":{inner},"sign":"{sign}"}}'.encode())

    @property
    def requests(self) -> list[dict]:
        """Each request's parameters, with biz_content decoded."""
        from urllib.parse import parse_qs, urlparse

        out = []
        for url in self.urls:
            query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
            query["biz_content"] = json.loads(query["biz_content"])
            out.append(query)
        return out


# -- WeChat Pay ------------------------------------------------------------------------------------------

WECHAT_MCHID = "1900000109"
WECHAT_APPID = "wxd678efh567hg6787"
WECHAT_PUBLIC_KEY_ID = "PUB_KEY_ID_0119000001092024061500000001"
WECHAT_MERCHANT_SERIAL = "444F4864EA9B34415A1B2C3D4E5F60718293A4B5"
APIV3_KEY = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"  # 32 characters


def wechat_config(**overrides) -> dict:
    config = {"mchid": WECHAT_MCHID, "appid": WECHAT_APPID, "private_key": keypair("wechat-merchant").private_pem,
              "cert_serial_no": WECHAT_MERCHANT_SERIAL, "apiv3_key": APIV3_KEY,
              "public_key": keypair("wechat").public_pem, "public_key_id": WECHAT_PUBLIC_KEY_ID,
              "notify_url": "https://shop.example.com/payments/notify/wechat/"}
    config.update(overrides)
    return config


def wechat_transaction(out_trade_no: str, total_fen: int, *, trade_state: str = "SUCCESS",
                       transaction_id: str = "4200002024061512345678901", mchid: str = WECHAT_MCHID) -> dict:
    return {
        "mchid": mchid, "appid": WECHAT_APPID, "out_trade_no": out_trade_no, "transaction_id": transaction_id,
        "trade_type": "NATIVE", "trade_state": trade_state, "trade_state_desc": "支付成功", "bank_type": "OTHERS",
        "attach": "", "success_time": "2024-06-15T10:00:05+08:00", "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {"total": total_fen, "payer_total": total_fen, "currency": "CNY", "payer_currency": "CNY"},
    }


def encrypt_resource(plain: dict, *, apiv3_key: str = APIV3_KEY, associated_data: str = "transaction") -> dict:
    nonce = secrets.token_hex(6)  # 12 characters, as WeChat sends
    ciphertext = AESGCM(apiv3_key.encode()).encrypt(nonce.encode(), json.dumps(plain, ensure_ascii=False).encode(),
                                                    associated_data.encode())
    return {"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": base64.b64encode(ciphertext).decode(), "associated_data": associated_data, "nonce": nonce}


def wechat_sign_headers(body: bytes, *, key: KeyPair | None = None, serial: str = WECHAT_PUBLIC_KEY_ID,
                        timestamp: int | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    nonce = base64.b32encode(os.urandom(20)).decode()
    message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
    return {"Wechatpay-Timestamp": str(timestamp), "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": (key or keypair("wechat")).sign(message), "Wechatpay-Serial": serial,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048"}


def wechat_notification(transaction: dict, *, apiv3_key: str = APIV3_KEY, key: KeyPair | None = None,
                        serial: str = WECHAT_PUBLIC_KEY_ID, timestamp: int | None = None) -> tuple[dict, bytes]:
    """(headers, body) of a 支付成功通知 exactly as WeChat Pay posts it."""
    body = json.dumps({
        "id": "EV-2018022511223320873", "create_time": "2024-06-15T10:00:06+08:00",
        "resource_type": "encrypt-resource", "event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
        "resource": encrypt_resource(transaction, apiv3_key=apiv3_key),
    }, ensure_ascii=False, separators=(",", ":")).encode()
    return wechat_sign_headers(body, key=key, serial=serial, timestamp=timestamp), body


@dataclass
class FakeResponse:
    status_code: int
    text: str
    headers: dict

    @property
    def content(self) -> bytes:
        return self.text.encode()


@dataclass
class FakeWechatHttp:
    """Stands in for the `requests` module the SDK calls (`wechatpayv3.core.requests`): records requests and
    answers like api.mch.weixin.qq.com, signing 2xx answers with the WeChat Pay key and public_key_id."""

    status: int = 200
    payload: dict | None = None
    key: KeyPair = field(default_factory=lambda: keypair("wechat"))
    serial: str = WECHAT_PUBLIC_KEY_ID
    calls: list = field(default_factory=list)

    def _answer(self, method, url, data, headers):
        self.calls.append({"method": method, "url": url, "json": data, "headers": headers})
        text = json.dumps(self.payload or {}, ensure_ascii=False)
        signed = wechat_sign_headers(text.encode(), key=self.key, serial=self.serial)
        return FakeResponse(self.status, text, {**signed, "Content-Type": "application/json; charset=utf-8"})

    def post(self, url, json=None, data=None, headers=None, files=None, proxies=None, timeout=None):
        return self._answer("POST", url, json, headers)

    def get(self, url, headers=None, proxies=None, timeout=None):
        return self._answer("GET", url, None, headers)
