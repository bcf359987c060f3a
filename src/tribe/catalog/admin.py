"""Django admin for platform operators. Saves go through the same summary and index upkeep as services."""

from django.contrib import admin

from tribe.search.services import reindex_product

from .models import Bundle, BundleItem, Category, Placement, Product, ProductImage, Sku
from .services import refresh_summary


class SkuInline(admin.TabularInline):
    model = Sku
    extra = 0


class ImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ("image", "thumb", "position", "alt")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "store", "brand", "category", "min_price", "total_stock", "published")
    list_filter = ("published", "brand")
    search_fields = ("name",)
    list_select_related = ("store", "brand", "category")
    readonly_fields = ("min_price", "max_price", "total_stock", "sales_count")
    inlines = [SkuInline, ImageInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_summary(form.instance)
        reindex_product(form.instance.pk)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "parent", "path", "position")
    search_fields = ("name", "slug")


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    extra = 0
    raw_id_fields = ("product", "sku")


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "scenario", "published")
    inlines = [BundleItemInline]


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ("station", "product", "note")
    raw_id_fields = ("product",)
