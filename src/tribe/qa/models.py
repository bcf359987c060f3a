"""Product Q&A (问大家): anyone signed in asks about a published product; recent buyers are invited to answer.

"已购买" on an answer is computed from orders when shown, never stored: a later full refund takes it away.
Likes on answers live in tribe.posts (target "answer").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

QUESTION_MIN, QUESTION_MAX = 5, 300
ANSWER_MIN, ANSWER_MAX = 2, 1000
MAX_INVITES = 10
INVITE_WINDOW_DAYS = 180


class Question(models.Model):
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("问题"), max_length=QUESTION_MAX)
    removed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["product", "removed", "-created_at"], name="question_product_list")]

    def __str__(self) -> str:
        return self.text[:30]


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(_("回答"), max_length=ANSWER_MAX)
    removed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("回答")
        verbose_name_plural = _("回答")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["question", "author"], name="answer_once_per_user")]


class AnswerInvite(models.Model):
    """An invitation to a recent buyer to answer a question (shown under 待我回答)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="invites")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answer_invites")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="answer_invite_once")]
        indexes = [models.Index(fields=["user", "-created_at"], name="answer_invite_user")]
