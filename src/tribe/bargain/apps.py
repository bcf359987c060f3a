from django.apps import AppConfig


class BargainConfig(AppConfig):
    name = "tribe.bargain"
    label = "bargain"
    verbose_name = "砍价"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.urls import reverse
        from django.utils.translation import gettext_lazy as _

        from tribe.campaigns.registry import PlayKind, register_play
        from tribe.core.periodic import register

        from . import receivers, sharing
        from .models import BargainCampaign

        receivers.connect()
        sharing.register_kind()
        register("bargain.expire", "tribe.bargain.tasks.expire_bargains", 300)
        register_play(PlayKind("bargain", _("砍价"), model=BargainCampaign, console_url="console:bargain",
                               public_url=lambda play: reverse("web:bargain_campaign", args=[play.pk])))
