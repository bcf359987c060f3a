from django.apps import AppConfig


class BrandsConfig(AppConfig):
    name = "tribe.brands"
    label = "brands"
