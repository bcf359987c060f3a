"""In-site notifications (站内通知): someone commented, liked, replied, invited you, decided your request.

A notification about something inside a members-only circle carries `circle`; it is listed (and counted)
only while the recipient is an active member of that circle (tribe.notifications.selectors).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30)  # comment, like, answer_invite, thread_invite, circle_request, ...
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="+")
    text = models.CharField(max_length=200)
    url = models.CharField(max_length=300, blank=True)
    target_kind = models.CharField(max_length=20, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    circle = models.ForeignKey("circles.Circle", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox")]
