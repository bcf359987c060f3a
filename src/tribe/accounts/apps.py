from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tribe.accounts"
    label = "accounts"
