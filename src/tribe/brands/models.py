from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Brand(models.Model):
    """A brand and its station (品牌站). The kind decides how the station sells:

    - hub (站店分离): a group brand; its sub-brands (children) sell through several stores, and the station
      navigates by sub-brand across those stores;
    - flagship (站店合一): the station is itself the store;
    - content: no store of its own (a TV series, a magazine); it lists products placed in it and links to the
      stores that sell them.
    """

    class Kind(models.TextChoices):
        HUB = "hub", _("集团品牌站（站店分离）")
        FLAGSHIP = "flagship", _("旗舰品牌站（站店合一）")
        CONTENT = "content", _("内容站")

    name = models.CharField(_("名称"), max_length=60)
    slug = models.SlugField(unique=True, max_length=60)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.FLAGSHIP)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("所属集团")
    )
    tagline = models.CharField(_("口号"), max_length=120, blank=True)
    story = models.TextField(_("品牌故事"), blank=True)
    logo = models.ImageField(upload_to="brands/logo/", blank=True)
    cover = models.ImageField(upload_to="brands/cover/", blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class BrandMedia(models.Model):
    """Storytelling material on a station: an uploaded image or a link to a video."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("图片")
        VIDEO = "video", _("视频链接")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    image = models.ImageField(upload_to="brands/media/%Y/%m/", blank=True)
    url = models.URLField(blank=True)
    caption = models.CharField(max_length=120, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class BrandNews(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="news")
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"), blank=True)
    published_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]


class Store(models.Model):
    """A shop that sells. It belongs to a brand (for a hub, usually the group brand or a sub-brand)."""

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="stores")
    name = models.CharField(_("店铺名称"), max_length=60)
    slug = models.SlugField(unique=True, max_length=60)
    description = models.TextField(_("店铺介绍"), blank=True)
    logo = models.ImageField(upload_to="stores/logo/", blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class BrandMembership(models.Model):
    """Brand staff. Owners may also manage staff; operators manage content, stores and products."""

    class Role(models.TextChoices):
        OWNER = "owner", _("负责人")
        OPERATOR = "operator", _("运营")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brand_memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.OPERATOR)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["brand", "user"], name="membership_unique")]
