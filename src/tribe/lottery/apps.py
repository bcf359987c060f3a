from django.apps import AppConfig


class LotteryConfig(AppConfig):
    name = "tribe.lottery"
    label = "lottery"
    verbose_name = "抽奖"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
