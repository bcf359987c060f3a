from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "tribe.payments"
    label = "payments"
