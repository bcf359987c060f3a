from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tribe.core"
    label = "core"
