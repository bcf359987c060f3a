from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "tribe.social"
    label = "social"
