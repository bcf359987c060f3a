"""Console → 数据 (tribe.analytics), mounted at /console/<brand_slug>/analytics/."""

from django.urls import path

from . import analytics_console_views as views

urlpatterns = [
    path("", views.sources, name="analytics"),
    path("sources.csv", views.sources_csv, name="analytics_sources_csv"),
    path("funnel/", views.funnel, name="analytics_funnel"),
    path("funnel.csv", views.funnel_csv, name="analytics_funnel_csv"),
    path("rfm/", views.rfm, name="analytics_rfm"),
    path("paths/", views.purchase_paths, name="analytics_paths"),
    path("rfm.csv", views.rfm_csv, name="analytics_rfm_csv"),
]
