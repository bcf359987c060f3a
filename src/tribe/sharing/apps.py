from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "tribe.sharing"
    label = "sharing"
    verbose_name = "分享"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import kinds  # noqa: F401 - registers product, bundle, station
