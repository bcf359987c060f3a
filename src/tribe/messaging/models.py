"""私信 (messaging): threads between people, and between a buyer and a store's customer service.

A thread is one of four kinds:
- direct: exactly two people; one thread per pair (`pair_key`), reused when either starts a new chat.
- group: 3–20 people, chosen by the creator among their friends.
- ask_friends: "should I buy this?" about one product, asked of chosen friends or of a circle. A circle
  thread belongs to the circle: only its *current* active members may read or reply (`circle`).
- support: a buyer and a store (`store`); any staff of the store's brand answers, shown as the store. One
  thread per buyer and store (`pair_key`); each message may carry the product or order it is about.

Read state is a message id (`Participant.last_read_id`, `Thread.staff_last_read_id` for the store's team),
not a timestamp: ids are strictly ordered, timestamps of two messages can be equal.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TEXT_MAX = 1000
TITLE_MAX = 60


class Thread(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", _("私聊")
        GROUP = "group", _("群聊")
        ASK_FRIENDS = "ask_friends", _("问问朋友")
        SUPPORT = "support", _("客服")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=TITLE_MAX, blank=True)
    product = models.ForeignKey("catalog.Product", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    store = models.ForeignKey("brands.Store", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="support_threads")
    circle = models.ForeignKey("circles.Circle", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="ask_threads")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # "d:<low id>:<high id>" for direct threads, "s:<store id>:<buyer id>" for support threads: the unique
    # constraint makes "reuse the existing thread" safe when both people start a chat at the same moment.
    pair_key = models.CharField(max_length=60, null=True, blank=True, unique=True)
    staff_last_read_id = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [models.Index(fields=["store", "-last_message_at"], name="thread_store_inbox")]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} #{self.pk}"


class Participant(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_seats")
    last_read_id = models.BigIntegerField(default=0)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="participant_unique")]
        indexes = [models.Index(fields=["user", "thread"], name="participant_user")]


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    as_store = models.BooleanField(default=False)  # a staff reply in a support thread, shown as the store
    text = models.TextField(max_length=TEXT_MAX)
    product = models.ForeignKey("catalog.Product", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["thread", "id"], name="message_thread"),
            models.Index(fields=["sender", "created_at"], name="message_sender_time"),
        ]
