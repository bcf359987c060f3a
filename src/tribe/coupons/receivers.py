"""Wiring: the coupons price adjuster, the order lifecycle (placed → used; cancelled/expired → back; fully
refunded → back), the play registry (console 营销活动 index, public 活动 page), the share card kind and the
expiry sweep."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tribe.orders import signals as order_signals

from . import redemption


def _placed(sender, order, request=None, **kwargs):
    redemption.on_order_placed(order, request)


def _cancelled(sender, order, reason="", **kwargs):
    redemption.on_order_cancelled(order, reason)


def _refunded(sender, line, amount, **kwargs):
    redemption.on_line_refunded(line, amount)


def connect() -> None:
    from tribe.campaigns.registry import PlayKind, register_play
    from tribe.core.periodic import register as register_periodic
    from tribe.orders.pricing import register_adjuster
    from tribe.sharing.registry import ShareKind, register

    from .models import CouponTemplate
    from .selectors import coupon_card, find_shared_template

    register_adjuster("coupons", redemption.adjuster, priority=60)
    order_signals.order_placed.connect(_placed, dispatch_uid="coupons.placed")
    order_signals.order_cancelled.connect(_cancelled, dispatch_uid="coupons.cancelled")
    order_signals.line_refunded.connect(_refunded, dispatch_uid="coupons.refunded")
    register_play(PlayKind("coupons", _("优惠券"), model=CouponTemplate, console_url="console:coupons",
                           public_url=lambda play: reverse("web:coupon", args=[play.pk])))
    register(ShareKind("coupon", lookup=find_shared_template, card=coupon_card))
    register_periodic("coupons.expire", "tribe.coupons.tasks.expire_coupons_task", 300)
