"""Payment gateways behind one interface. `get_gateway(name, config)` returns an adapter."""

from __future__ import annotations

from .base import Gateway, GatewayError, PaymentIntent, VerifiedNotification


def get_gateway(name: str, config: dict | None = None) -> Gateway:
    from django.conf import settings

    config = config if config is not None else getattr(settings, "TRIBE_PAYMENT_GATEWAYS", {}).get(name, {})
    if name == "dummy":
        from .dummy import DummyGateway

        return DummyGateway(config)
    if name == "alipay":
        from .alipay import AlipayGateway

        return AlipayGateway(config)
    if name == "wechat":
        from .wechat import WechatPayGateway

        return WechatPayGateway(config)
    raise GatewayError(f"unknown gateway '{name}'")


__all__ = ["Gateway", "GatewayError", "PaymentIntent", "VerifiedNotification", "get_gateway"]
