from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "tribe.analytics"
    label = "analytics"
    verbose_name = "品牌数据"
    default_auto_field = "django.db.models.BigAutoField"
