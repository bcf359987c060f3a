from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "name", "actor", "object_type", "object_id", "source", "channel", "device")
    list_filter = ("name", "source", "device")
    search_fields = ("session_key", "campaign", "utm_source")
    date_hierarchy = "created_at"
    raw_id_fields = ("actor",)

    def has_change_permission(self, request, obj=None):
        return False  # the event log is append-only
