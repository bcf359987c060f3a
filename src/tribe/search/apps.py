from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "tribe.search"
    label = "search"
