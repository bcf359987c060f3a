from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "tribe.commissions"
    label = "commissions"
    verbose_name = "佣金"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from tribe.core.periodic import register

        from . import receivers

        receivers.connect()
        register("commissions.release", "tribe.commissions.tasks.release_commissions", 300)
