from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "tribe.loyalty"
    label = "loyalty"
    verbose_name = "会员积分与等级"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
