"""专辑 albums and 场景化导购 scenario guides: curated lists of products with notes.

An album belongs to its owner, or (when `brand` is set) to a brand: a brand album is managed by that brand's
staff and shown on its station as a 品牌街 collection. A guide walks through a use situation in steps, each
step naming a few products. Only published products can be added; a product unpublished later stays in the
list but is hidden on display, so republishing it restores the list as the curator left it.

Likes and comments live in tribe.posts (targets "album" and "guide"); counts are computed from those rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_ALBUM_ITEMS = 100
MAX_NOTE = 200
MAX_TITLE = 60
MAX_DESCRIPTION = 1000
MAX_GUIDE_STEPS = 20
MAX_STEP_PRODUCTS = 10
MAX_STEP_TEXT = 1000
MAX_INTRO = 2000


class Album(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="albums")
    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="albums")
    title = models.CharField(_("标题"), max_length=MAX_TITLE)
    description = models.TextField(_("简介"), max_length=MAX_DESCRIPTION, blank=True)
    is_public = models.BooleanField(_("公开"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("专辑")
        verbose_name_plural = _("专辑")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["brand", "is_public"], name="album_brand_public"),
            models.Index(fields=["owner", "is_public"], name="album_owner_public"),
        ]

    def __str__(self) -> str:
        return self.title


class AlbumItem(models.Model):
    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="album_items")
    note = models.CharField(_("推荐语"), max_length=MAX_NOTE, blank=True)
    position = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["album", "product"], name="album_product_once")]


class Guide(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guides")
    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="guides")
    title = models.CharField(_("标题"), max_length=MAX_TITLE)
    scenario = models.CharField(_("场景"), max_length=MAX_TITLE)
    intro = models.TextField(_("导语"), max_length=MAX_INTRO, blank=True)
    cover = models.ImageField(upload_to="guides/%Y/%m/", blank=True)
    published = models.BooleanField(_("发布"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("导购")
        verbose_name_plural = _("导购")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["published", "-created_at"], name="guide_published")]

    def __str__(self) -> str:
        return self.title


class GuideStep(models.Model):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("步骤"), max_length=MAX_TITLE)
    text = models.TextField(_("说明"), max_length=MAX_STEP_TEXT, blank=True)

    class Meta:
        ordering = ["position", "id"]


class GuideStepProduct(models.Model):
    step = models.ForeignKey(GuideStep, on_delete=models.CASCADE, related_name="products")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="guide_steps")
    note = models.CharField(_("推荐语"), max_length=MAX_NOTE, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["step", "product"], name="guide_step_product_once")]
