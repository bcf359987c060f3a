from django.apps import AppConfig


class BargainConfig(AppConfig):
    name = "tribe.bargain"
    label = "bargain"
    verbose_name = "砍价"
    default_auto_field = "django.db.models.BigAutoField"
