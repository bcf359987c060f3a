from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "tribe.feed"
    label = "feed"
    verbose_name = "动态"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .signals import connect

        connect()
