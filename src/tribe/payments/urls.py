from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("notify/<slug:gateway>/", views.notify, name="notify"),
]
