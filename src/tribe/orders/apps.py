from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "tribe.orders"
    label = "orders"

    def ready(self):
        from tribe.core.periodic import register

        register("orders.sweep", "tribe.orders.tasks.sweep_orders", 60)
