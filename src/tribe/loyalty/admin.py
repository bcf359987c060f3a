from django.contrib import admin

from .models import PointsEntry, SignIn, Tier, TierPrice


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    """The platform's tier policy: thresholds by trailing-window spend or lifetime points earned."""

    list_display = ("rank", "name", "min_spend", "min_points", "is_active")
    list_editable = ("name", "min_spend", "min_points", "is_active")
    ordering = ("rank",)


@admin.register(TierPrice)
class TierPriceAdmin(admin.ModelAdmin):
    list_display = ("sku", "tier", "price", "updated_at")
    list_select_related = ("sku", "tier")
    raw_id_fields = ("sku", "updated_by")


@admin.register(PointsEntry)
class PointsEntryAdmin(admin.ModelAdmin):
    """Read-only: the ledger is append-only."""

    list_display = ("created_at", "user", "kind", "points", "reason", "ref", "expires_at")
    list_filter = ("kind", "reason")
    search_fields = ("ref", "user__username")
    raw_id_fields = ("user", "brand")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(SignIn)
class SignInAdmin(admin.ModelAdmin):
    list_display = ("day", "user", "streak", "points")
    raw_id_fields = ("user",)
