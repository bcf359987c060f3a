from django.apps import AppConfig


class PresaleConfig(AppConfig):
    name = "tribe.presale"
    label = "presale"
    verbose_name = "预售"
    default_auto_field = "django.db.models.BigAutoField"
