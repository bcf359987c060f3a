from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class TribeUserAdmin(UserAdmin):
    list_display = ("username", "nickname", "city", "is_promoter", "is_staff", "date_joined")
    list_filter = ("is_staff", "is_promoter", "allow_promotions", "gender")
    search_fields = ("username", "nickname", "city")
    fieldsets = UserAdmin.fieldsets + (
        ("Profile", {"fields": ("nickname", "avatar", "city", "gender", "birth_year", "bio", "is_promoter")}),
        ("Privacy and consent", {"fields": ("allow_promotions", "allow_email_digest",
                                            "show_purchases_to_friends", "show_reviews_to_friends",
                                            "share_purchases_nearby")}),
    )
