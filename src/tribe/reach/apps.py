from django.apps import AppConfig


class ReachConfig(AppConfig):
    name = "tribe.reach"
    label = "reach"
    verbose_name = "邮件与推送"
    default_auto_field = "django.db.models.BigAutoField"
