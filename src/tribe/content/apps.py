from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "tribe.content"
    label = "content"
