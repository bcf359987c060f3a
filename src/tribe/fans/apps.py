from django.apps import AppConfig


class FansConfig(AppConfig):
    name = "tribe.fans"
    label = "fans"
    verbose_name = "粉丝社区"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tribe.orders.guards import register_purchase_guard
        from tribe.posts.targets import Target, register

        from . import services
        from .targets import find_poll, poll_url

        register_purchase_guard(services.early_access_guard)
        register(Target("poll", find=find_poll, owner_id=lambda poll: poll.created_by_id, url=poll_url))
