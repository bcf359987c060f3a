"""Console pages of 抽奖, mounted at /console/<brand_slug>/lottery/ (namespace console; views take
brand_slug and use tribe.web.console.base.brand_view)."""

from django.urls import path

from . import lottery_console_views as views

urlpatterns = [
    path("", views.lottery_list, name="lottery"),
    path("new/", views.lottery_new, name="lottery_new"),
    path("<int:pk>/", views.lottery_edit, name="lottery_edit"),
    path("<int:pk>/prizes/", views.lottery_prize_add, name="lottery_prize_add"),
    path("<int:pk>/prizes/<int:prize_id>/delete/", views.lottery_prize_delete, name="lottery_prize_delete"),
    path("<int:pk>/prizes/<int:prize_id>/restock/", views.lottery_prize_restock, name="lottery_prize_restock"),
    path("<int:pk>/audit/", views.lottery_audit, name="lottery_audit"),
    path("<int:pk>/audit.csv", views.lottery_audit_csv, name="lottery_audit_csv"),
    path("<int:pk>/<slug:action>/", views.lottery_move, name="lottery_move"),
]
