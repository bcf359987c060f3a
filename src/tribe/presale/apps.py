from django.apps import AppConfig


class PresaleConfig(AppConfig):
    name = "tribe.presale"
    label = "presale"
    verbose_name = "预售"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.urls import reverse
        from django.utils.translation import gettext_lazy as _

        from tribe.campaigns.registry import PlayKind, register_play
        from tribe.core import periodic

        from . import receivers, sharing
        from .models import Presale

        receivers.connect()
        periodic.register("presale.due", "tribe.presale.tasks.presale_due_task", every_seconds=60)
        sharing.register_kind()
        register_play(PlayKind("presale", _("预售"), model=Presale, console_url="console:presale_list",
                               public_url=lambda play: reverse("web:presale", args=[play.pk])))
