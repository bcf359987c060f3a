"""Admin for payments. Money records (Payment, Refund, Notification) are read-only here: their state changes
only through tribe.payments.services, which keeps the order, the stock and the ledger consistent."""

from __future__ import annotations

import json

from django.contrib import admin

from .models import Notification, Payment, PaymentAccount, Refund

SECRET_KEYS = {"app_private_key", "private_key", "apiv3_key"}


def is_secret(key: str) -> bool:
    key = key.lower()
    return key in SECRET_KEYS or "private" in key or "secret" in key or "apiv3" in key


def masked_config(config) -> dict:
    """The account config with every secret replaced by a hint of its presence, never its content."""
    if not isinstance(config, dict):
        return {}
    shown = {}
    for key, value in config.items():
        if is_secret(str(key)):
            shown[key] = "••••••" if value else ""
        elif isinstance(value, str) and "-----BEGIN" in value:
            shown[key] = value.strip().splitlines()[0] + " …"  # public keys: just which kind
        else:
            shown[key] = value
    return shown


@admin.register(PaymentAccount)
class PaymentAccountAdmin(admin.ModelAdmin):
    list_display = ("store", "gateway", "is_active", "config_summary")
    list_filter = ("gateway", "is_active")
    search_fields = ("store__name",)
    raw_id_fields = ("store",)

    @admin.display(description="config")
    def config_summary(self, obj: PaymentAccount) -> str:
        return json.dumps(masked_config(obj.config), ensure_ascii=False, sort_keys=True)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ("out_refund_no", "amount", "status", "provider_refund_id", "reason", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("out_trade_no", "order", "gateway", "amount", "status", "refunded_amount", "created_at",
                    "paid_at")
    list_filter = ("gateway", "status")
    search_fields = ("out_trade_no", "provider_txn_id", "order__number")
    list_select_related = ("order",)
    date_hierarchy = "created_at"
    inlines = [RefundInline]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "gateway", "verified", "outcome", "out_trade_no", "provider_txn_id")
    list_filter = ("gateway", "verified", "outcome")
    search_fields = ("out_trade_no", "provider_txn_id")
    date_hierarchy = "received_at"


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("out_refund_no", "payment", "amount", "status", "provider_refund_id", "refund_request_id",
                    "created_at")
    list_filter = ("status",)
    search_fields = ("out_refund_no", "provider_refund_id", "payment__out_trade_no")
    list_select_related = ("payment",)
