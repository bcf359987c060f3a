from django.contrib import admin

from .models import HelpfulVote, Review, ReviewImage


class ReviewImageInline(admin.TabularInline):
    model = ReviewImage
    extra = 0


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("product", "author", "rating", "created_at")
    list_filter = ("rating",)
    search_fields = ("text", "author__username", "product__name")
    raw_id_fields = ("product", "author", "order_line")
    inlines = [ReviewImageInline]


@admin.register(HelpfulVote)
class HelpfulVoteAdmin(admin.ModelAdmin):
    list_display = ("review", "user")
    raw_id_fields = ("review", "user")
