from django.apps import AppConfig


class CurationConfig(AppConfig):
    name = "tribe.curation"
    label = "curation"
    verbose_name = "专辑与导购"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks

        hooks.register()
