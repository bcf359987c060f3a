"""晒图 posts, and the comments and likes that any piece of content can carry.

A post is text with up to 9 images and up to 9 tagged products. It lives on its author's page and in
followers' feeds, or inside a circle (`circle` set), where the circle's visibility applies to it and to
everything hanging off it (comments, likes, feed entries, notifications).

Comments and likes point at a *target*: a kind ("post", "review", "album", "guide", "answer", …) and an id.
Each kind registers how to find a target and whether a viewer may see it (tribe.posts.targets), so one
comment/like implementation serves every kind of content. Counts are always computed from these rows.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_POST_TEXT = 2000
MAX_POST_IMAGES = 9
MAX_POST_PRODUCTS = 9
MAX_COMMENT_TEXT = 500


class Post(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    text = models.TextField(_("内容"), max_length=MAX_POST_TEXT)
    circle = models.ForeignKey("circles.Circle", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="posts")
    # set when staff post as their brand (a brand's own post); such posts are promotional
    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="posts")
    # promotional: posted as a brand, or by staff of a tagged product's brand (see services.create_post)
    is_promotion = models.BooleanField(default=False)
    products = models.ManyToManyField("catalog.Product", through="PostProduct", related_name="posts")
    removed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("晒图")
        verbose_name_plural = _("晒图")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["circle", "removed", "-created_at"], name="post_circle_list"),
            models.Index(fields=["author", "-created_at"], name="post_author_list"),
            models.Index(fields=["brand", "-created_at"], name="post_brand_list"),
        ]

    def __str__(self) -> str:
        return self.text[:30]


class PostImage(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="posts/%Y/%m/", width_field="width", height_field="height")
    thumb = models.ImageField(upload_to="posts/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class PostProduct(models.Model):
    """A product tagged in a post (shown as a product card)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="tags")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="post_tags")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["post", "product"], name="post_product_once")]
        indexes = [models.Index(fields=["product", "post"], name="post_product_by_product")]


class Comment(models.Model):
    target_kind = models.CharField(max_length=20)
    target_id = models.BigIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(max_length=MAX_COMMENT_TEXT)
    removed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["target_kind", "target_id", "created_at"], name="comment_target")]


class Like(models.Model):
    target_kind = models.CharField(max_length=20)
    target_id = models.BigIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target_kind", "target_id", "user"], name="like_once"),
        ]
