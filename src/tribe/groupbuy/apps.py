from django.apps import AppConfig


class GroupbuyConfig(AppConfig):
    name = "tribe.groupbuy"
    label = "groupbuy"
    verbose_name = "拼团"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.urls import reverse
        from django.utils.translation import gettext_lazy as _

        from tribe.campaigns.registry import PlayKind, register_play
        from tribe.core.periodic import register
        from tribe.orders import signals
        from tribe.orders.holds import register_ship_hold

        from . import groups, sharing
        from .models import GroupBuy

        signals.order_paid.connect(groups.on_order_paid, dispatch_uid="groupbuy.paid")
        signals.order_cancelled.connect(groups.on_order_cancelled, dispatch_uid="groupbuy.cancelled")
        signals.line_refunded.connect(groups.on_line_refunded, dispatch_uid="groupbuy.refunded")
        register_ship_hold(groups.ship_hold)
        register_play(PlayKind("groupbuy", _("拼团"), model=GroupBuy, console_url="console:groupbuy",
                               public_url=lambda play: reverse("web:groupbuy", args=[play.pk])))
        sharing.register_kind()
        register("groupbuy.expire", "tribe.groupbuy.tasks.expire_groups_task", 60)
