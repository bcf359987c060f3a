from django.contrib import admin

from .models import Brand, BrandMedia, BrandMembership, BrandNews, Store


class MediaInline(admin.TabularInline):
    model = BrandMedia
    extra = 0


class NewsInline(admin.StackedInline):
    model = BrandNews
    extra = 0


class MembershipInline(admin.TabularInline):
    model = BrandMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "slug")
    inlines = [MembershipInline, MediaInline, NewsInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            from tribe.search.services import reindex_brand

            reindex_brand(obj.id)


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "brand", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
