from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "tribe.catalog"
    label = "catalog"
