from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "tribe.aftersales"
    label = "aftersales"

    def ready(self):
        from tribe.core.periodic import register

        register("aftersales.retry_refunds", "tribe.aftersales.tasks.retry_pending_refunds", 300)
