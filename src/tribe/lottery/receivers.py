"""Wiring: paid orders grant chances, full refunds void unused ones, an unpaid prize order frees its claim;
the lottery registers as a play (console index, /campaigns/) and as a share kind ("lottery")."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from tribe.orders import signals as order_signals


def _paid(sender, order, **kwargs):
    from . import draws

    draws.on_order_paid(order)


def _refunded(sender, line, amount, **kwargs):
    from . import draws

    draws.on_line_refunded(line)


def _cancelled(sender, order, **kwargs):
    from . import draws

    draws.on_order_cancelled(order)


def _find(key: str):
    from .models import Lottery

    if not key.isdigit() or int(key) > 2**63 - 1:
        return None
    return Lottery.objects.select_related("brand").exclude(status="draft").filter(pk=int(key)).first()


def _card(lottery):
    from tribe.sharing.registry import ShareCard

    logo = lottery.brand.logo
    return ShareCard(title=f"{lottery.title} · 抽奖",
                     description=Truncator(" ".join((lottery.description or lottery.brand.name).split())).chars(120),
                     image_url=logo.url if logo else "", price=None, url=reverse("web:lottery", args=[lottery.pk]))


def connect() -> None:
    from tribe.campaigns.registry import PlayKind, register_play
    from tribe.sharing.registry import ShareKind, register

    from .models import Lottery

    order_signals.order_paid.connect(_paid, dispatch_uid="lottery.paid")
    order_signals.line_refunded.connect(_refunded, dispatch_uid="lottery.refunded")
    order_signals.order_cancelled.connect(_cancelled, dispatch_uid="lottery.cancelled")
    register_play(PlayKind("lottery", _("抽奖"), model=Lottery, console_url="console:lottery",
                           public_url=lambda play: reverse("web:lottery", args=[play.pk])))
    register(ShareKind("lottery", lookup=_find, card=_card))
    from tribe.core.periodic import register as register_periodic

    register_periodic("lottery.expire_prizes", "tribe.lottery.tasks.sweep_lottery", 600)
