"""Pages: product Q&A (问大家)."""

from django.urls import path

from . import qa_views as views

urlpatterns: list = [
    path("p/<int:pk>/questions/", views.product_questions, name="product_questions"),
    path("p/<int:pk>/questions/section/", views.question_section, name="question_section"),
    path("p/<int:pk>/questions/ask/", views.ask, name="question_ask"),
    path("questions/<int:pk>/", views.question, name="question"),
    path("questions/<int:pk>/answer/", views.answer, name="question_answer"),
    path("questions/<int:pk>/remove/", views.question_remove, name="question_remove"),
    path("answers/<int:pk>/remove/", views.answer_remove, name="answer_remove"),
    path("me/questions/", views.my_questions, name="my_questions"),
]
