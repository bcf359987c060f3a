"""User content about products. 口碑 reviews: one per order line a verified buyer bought; every rating
number shown anywhere is computed from these rows (tribe.content.selectors), never stored."""

from django.conf import settings
from django.db import models
from django.utils import timezone

MAX_REVIEW_TEXT = 2000
MIN_REVIEW_TEXT = 5
MAX_REVIEW_IMAGES = 9


class Review(models.Model):
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews")
    # one review per line bought: the line is the proof of purchase
    # Null only for reviews imported from a public dataset (`imported_from` set; see tribe.social.importer).
    order_line = models.OneToOneField(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="review", null=True, blank=True
    )
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=MAX_REVIEW_TEXT)
    # a default, not auto_now_add: imported reviews keep the dataset's timestamp
    created_at = models.DateTimeField(default=timezone.now)
    imported_from = models.CharField(max_length=20, blank=True, default="")  # e.g. "ciao"; "" = real review
    imported_helpfulness = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_5"),
            models.CheckConstraint(
                condition=models.Q(order_line__isnull=False) | ~models.Q(imported_from=""),
                name="review_bought_or_imported",
            ),
            models.UniqueConstraint(
                fields=["author", "product"], condition=~models.Q(imported_from=""), name="review_imported_once"
            ),
        ]
        indexes = [models.Index(fields=["product", "-created_at"], name="review_product_latest")]


class ReviewImage(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="reviews/%Y/%m/", width_field="width", height_field="height")
    thumb = models.ImageField(upload_to="reviews/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class HelpfulVote(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="helpful_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="helpful_vote_once")]
