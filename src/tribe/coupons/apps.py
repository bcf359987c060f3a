from django.apps import AppConfig


class CouponsConfig(AppConfig):
    name = "tribe.coupons"
    label = "coupons"
    verbose_name = "优惠券"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
