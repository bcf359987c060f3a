"""Console pages of 试用, mounted at /console/<brand_slug>/trials/ (namespace console)."""

from django.urls import path

from . import trials_console_views as views

urlpatterns = [
    path("", views.trial_list, name="trials"),
    path("new/", views.trial_new, name="trial_new"),
    path("<int:trial_id>/", views.applicants, name="trial_applicants"),
    path("<int:trial_id>/edit/", views.trial_edit, name="trial_edit"),
    path("<int:trial_id>/<str:action>/move/", views.trial_move, name="trial_move"),
    path("<int:trial_id>/select/", views.select, name="trial_select"),
    path("<int:trial_id>/reject/", views.reject_rest, name="trial_reject"),
    path("<int:trial_id>/reports/", views.reports, name="trial_reports"),
]
