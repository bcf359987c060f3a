from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "tribe.messaging"
    label = "messaging"
    verbose_name = "私信"
    default_auto_field = "django.db.models.BigAutoField"
