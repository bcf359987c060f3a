from django.apps import AppConfig


class FlashsaleConfig(AppConfig):
    name = "tribe.flashsale"
    label = "flashsale"
    verbose_name = "秒杀"
    default_auto_field = "django.db.models.BigAutoField"
