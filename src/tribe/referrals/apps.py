from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "tribe.referrals"
    label = "referrals"
    verbose_name = "邀请与分享奖励"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
