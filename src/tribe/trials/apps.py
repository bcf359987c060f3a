from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "tribe.trials"
    label = "trials"
    verbose_name = "试用"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.urls import reverse
        from django.utils.translation import gettext_lazy as _

        from tribe.campaigns.registry import PlayKind, register_play
        from tribe.core.periodic import register as register_periodic

        from . import receivers, sharing
        from .models import Trial

        register_play(PlayKind("trials", _("试用"), model=Trial, console_url="console:trials",
                               public_url=lambda play: reverse("web:trial", args=[play.pk])))
        sharing.register_kind()
        receivers.connect()
        register_periodic("trials.no_shows", "tribe.trials.tasks.sweep_trials", 600)
