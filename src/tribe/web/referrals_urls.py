"""Pages: invite links and my invitations/rewards."""

from django.urls import path

from . import referrals_views as views

urlpatterns = [
    path("invite/<str:code>/", views.invite_landing, name="invite"),
    path("me/invite/", views.my_invite, name="my_invite"),
    path("deal/<str:code>/", views.deal_landing, name="deal"),
    path("me/friend-deals/", views.my_deals, name="my_deals"),
]
