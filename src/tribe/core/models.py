from django.conf import settings
from django.db import models


class Event(models.Model):
    """One thing a person did, as the event log saw it. Append-only; analytics reads it, nothing edits it.

    `source` is how this request arrived (search results, a share link, an external site, in-site navigation);
    `channel`/`campaign`/`sharer_id`/utm_* are the visit's first touch, carried to every event of the visit so
    orders can be attributed to what brought the buyer in.
    """

    name = models.CharField(max_length=40)
    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    session_key = models.CharField(max_length=40, blank=True)
    object_type = models.CharField(max_length=30, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    brand_id = models.BigIntegerField(null=True, blank=True)
    source = models.CharField(max_length=20, default="direct")
    channel = models.CharField(max_length=80, blank=True)
    campaign = models.CharField(max_length=100, blank=True)
    sharer_id = models.BigIntegerField(null=True, blank=True)
    referrer = models.CharField(max_length=300, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    device = models.CharField(max_length=10, blank=True)
    props = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["name", "created_at"], name="event_name_time"),
            models.Index(fields=["brand_id", "created_at"], name="event_brand_time"),
            models.Index(fields=["object_type", "object_id"], name="event_object"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.object_type}:{self.object_id} @ {self.created_at:%Y-%m-%d %H:%M}"
