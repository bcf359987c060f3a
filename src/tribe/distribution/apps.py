from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "tribe.distribution"
    label = "distribution"
    verbose_name = "分销"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from tribe.orders.signals import order_placed
        from tribe.sharing import services as sharing

        from .attribution import on_order_placed
        from .clicks import on_login, on_share_open

        order_placed.connect(on_order_placed, dispatch_uid="distribution.snapshot")
        user_logged_in.connect(on_login, dispatch_uid="distribution.move_bindings")
        if on_share_open not in sharing.OPEN_HOOKS:
            sharing.OPEN_HOOKS.append(on_share_open)
