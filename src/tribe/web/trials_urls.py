"""Pages of 试用 (trials). Included by tribe.web.urls (namespace web)."""

from django.urls import path

from . import trials_views as views

urlpatterns = [
    path("trials/", views.trial_list, name="trials"),
    path("trials/<int:trial_id>/", views.trial_detail, name="trial"),
    path("trials/<int:trial_id>/apply/", views.trial_apply, name="trial_apply"),
    path("trials/<int:trial_id>/report/", views.trial_report, name="trial_report"),
    path("me/trials/", views.my_trials, name="my_trials"),
]
