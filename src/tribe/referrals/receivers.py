"""Wiring: sign-ins note devices and attach invitees; paid orders earn rewards; full refunds void them."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in

from tribe.orders import signals as order_signals

from . import services


def _logged_in(sender, request, user, **kwargs):
    services.note_sighting(user, request)
    services.attach_at_registration(request, user)


def _placed(sender, order, request=None, **kwargs):
    from . import deals

    deals.reserve_on_placement(order)


def _paid(sender, order, **kwargs):
    services.on_order_paid(order)


def _refunded(sender, line, amount, **kwargs):
    services.on_line_refunded(line, amount)


def connect() -> None:
    from tribe.orders.pricing import register_adjuster

    from . import deals

    register_adjuster("friend_deal", deals.adjuster, priority=50)
    user_logged_in.connect(_logged_in, dispatch_uid="referrals.logged_in")
    order_signals.order_placed.connect(_placed, dispatch_uid="referrals.placed")
    order_signals.order_paid.connect(_paid, dispatch_uid="referrals.paid")
    order_signals.line_refunded.connect(_refunded, dispatch_uid="referrals.refunded")
