import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person. Consumer by default; brand staff through BrandMembership; 达人 through `is_promoter`;
    platform operators are `is_staff`. Consent flags default to *off*: promotions are opt-in."""

    class Gender(models.TextChoices):
        UNSET = "", _("不透露")
        FEMALE = "f", _("女")
        MALE = "m", _("男")
        OTHER = "o", _("其他")

    nickname = models.CharField(_("昵称"), max_length=40, blank=True)
    avatar = models.ImageField(_("头像"), upload_to="avatars/%Y/%m/", blank=True)
    city = models.CharField(_("城市"), max_length=40, blank=True, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True, default="")
    birth_year = models.PositiveSmallIntegerField(_("出生年份"), null=True, blank=True)
    bio = models.CharField(_("简介"), max_length=200, blank=True)
    is_promoter = models.BooleanField(_("达人"), default=False)
    # Privacy and consent. Receiving merchant promotions is off until the user turns it on.
    allow_promotions = models.BooleanField(_("接收商家推广"), default=False)
    allow_email_digest = models.BooleanField(_("接收邮件周报"), default=False)
    show_purchases_to_friends = models.BooleanField(_("好友可见我的购买"), default=False)
    show_reviews_to_friends = models.BooleanField(_("好友可见我的评价"), default=True)
    share_purchases_nearby = models.BooleanField(_("附近的人可以看到我买过的商品（匿名汇总）"), default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_year__isnull=True) | models.Q(birth_year__gte=1900, birth_year__lte=2100),
                name="user_birth_year_range",
            )
        ]

    @property
    def display_name(self) -> str:
        return self.nickname or self.username

    @property
    def is_platform_operator(self) -> bool:
        return self.is_active and (self.is_staff or self.is_superuser)


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the raw token is shown once at issue."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
