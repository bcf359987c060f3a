"""Pages of 抽奖 (lottery). Included by tribe.web.urls (namespace web)."""

from django.urls import path

from . import lottery_views as views

urlpatterns = [
    path("lottery/<int:pk>/", views.lottery_page, name="lottery"),
    path("lottery/<int:pk>/draw/", views.lottery_draw, name="lottery_draw"),
    path("lottery/<int:pk>/share/", views.lottery_share, name="lottery_share"),
    path("lottery/prizes/<int:draw_id>/claim/", views.claim, name="lottery_claim"),
    path("me/prizes/", views.my_prizes, name="lottery_prizes"),
]
