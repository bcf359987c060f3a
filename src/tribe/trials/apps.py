from django.apps import AppConfig


class TrialsConfig(AppConfig):
    name = "tribe.trials"
    label = "trials"
    verbose_name = "试用"
    default_auto_field = "django.db.models.BigAutoField"
