from django.apps import AppConfig


class GroupbuyConfig(AppConfig):
    name = "tribe.groupbuy"
    label = "groupbuy"
    verbose_name = "拼团"
    default_auto_field = "django.db.models.BigAutoField"
