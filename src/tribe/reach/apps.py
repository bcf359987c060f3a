from django.apps import AppConfig


class ReachConfig(AppConfig):
    name = "tribe.reach"
    label = "reach"
    verbose_name = "邮件与推送"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tribe.core.periodic import register

        register("reach.digests", "tribe.reach.tasks.send_digests", 3600)
