from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tribe.web"
    label = "web"
