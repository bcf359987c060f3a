from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "tribe.campaigns"
    label = "campaigns"
    verbose_name = "营销活动"
    default_auto_field = "django.db.models.BigAutoField"
