from django.apps import AppConfig


class FlashsaleConfig(AppConfig):
    name = "tribe.flashsale"
    label = "flashsale"
    verbose_name = "秒杀"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.urls import reverse
        from django.utils.translation import gettext_lazy as _

        from tribe.campaigns.registry import PlayKind, register_play
        from tribe.core.periodic import register as register_periodic
        from tribe.orders import signals
        from tribe.sharing.registry import ShareKind, register

        from . import services, sharing
        from .models import FlashSale

        register_play(PlayKind("flashsale", _("秒杀"), model=FlashSale, console_url="console:flashsale",
                               public_url=lambda sale: reverse("web:flashsale_sale", args=[sale.pk])))
        register(ShareKind("flashsale", lookup=sharing.find_sale, card=sharing.sale_card))
        register_periodic("flashsale.end_due", "tribe.flashsale.tasks.end_due_flash_sales", 60)
        signals.order_cancelled.connect(services.on_order_cancelled, dispatch_uid="flashsale_order_cancelled")
