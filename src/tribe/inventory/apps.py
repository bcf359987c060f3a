from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "tribe.inventory"
    label = "inventory"
