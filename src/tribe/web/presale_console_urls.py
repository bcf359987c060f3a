"""Console pages of 预售, mounted at /console/<brand_slug>/presale/ (namespace console; views take
brand_slug and use tribe.web.console.base.brand_view)."""

from django.urls import path

from . import presale_console_views as v

urlpatterns: list = [
    path("", v.presale_list, name="presale_list"),
    path("new/", v.presale_new, name="presale_new"),
    path("<int:pk>/", v.presale_detail, name="presale_detail"),
    path("<int:pk>/edit/", v.presale_edit, name="presale_edit"),
    path("<int:pk>/<str:action>/", v.presale_move, name="presale_move"),
]
