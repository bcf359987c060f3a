"""The home feed's storage.

- FeedItem: one row per feed-eligible thing (a 晒图 post or a 口碑 review), with what routing needs: author,
  brand, circle, whether it is promotional, and whether it was fanned out.
- FeedEntry: the fan-out inbox. When an ordinary author (fewer followers than FEED_FANOUT_THRESHOLD) posts,
  one entry per follower is written. Items by authors above the threshold (and brands above it) are not
  fanned out (`fanned_out` False): readers merge them in at read time. Circle posts are always merged at read
  from the reader's current circles, so leaving a circle takes its posts out of the feed at once.
- KeywordRule: words a user follows (show matching posts and products) or mutes (hide matching items).
- PromoImpression: which promotional items a user was shown on which (Asia/Shanghai) day, for the daily cap.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

MAX_KEYWORDS = 30
MAX_KEYWORD_CHARS = 20


class FeedItem(models.Model):
    class Kind(models.TextChoices):
        POST = "post"
        REVIEW = "review"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    post = models.OneToOneField("posts.Post", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="feed_item")
    review = models.OneToOneField("content.Review", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="feed_item")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # no plain indexes on brand/circle: the partial indexes below serve every read, and a plain one would
    # tempt the planner to find "circle IS NULL" (almost every row) through it
    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                              db_index=False)
    circle = models.ForeignKey("circles.Circle", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+", db_index=False)
    is_promotion = models.BooleanField(default=False)
    # a real experience: a review, or a post with photos or tagged products (ranks first when from a friend)
    has_media = models.BooleanField(default=False)
    fanned_out = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="post", post__isnull=False, review__isnull=True)
                | Q(kind="review", review__isnull=False, post__isnull=True),
                name="feeditem_one_source",
            ),
        ]
        indexes = [
            # merge at read: items of followed large authors / brands that were not fanned out (partial, so
            # they stay small: most items are fanned out)
            models.Index(fields=["author", "-created_at"], name="feeditem_merge_author",
                         condition=Q(fanned_out=False, circle__isnull=True, brand__isnull=True)),
            models.Index(fields=["brand", "-created_at"], name="feeditem_merge_brand",
                         condition=Q(fanned_out=False, circle__isnull=True, brand__isnull=False)),
            models.Index(fields=["circle", "-created_at"], name="feeditem_circle", condition=Q(circle__isnull=False)),
        ]


class FeedEntry(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(FeedItem, on_delete=models.CASCADE, related_name="entries")
    created_at = models.DateTimeField()  # the item's time, so the inbox reads newest first from one index

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="feedentry_once")]
        indexes = [models.Index(fields=["user", "-created_at"], name="feedentry_inbox")]


class KeywordRule(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="keyword_rules")
    word = models.CharField(max_length=MAX_KEYWORD_CHARS)
    mute = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "word"], name="keyword_once")]


class PromoImpression(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(FeedItem, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "item", "day"], name="promo_impression_once")]
        indexes = [models.Index(fields=["user", "day"], name="promo_impression_day")]
