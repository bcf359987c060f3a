"""Circles (圈子): interest groups with a join policy, a visibility, roles and moderation.

A members-only circle's posts, members and counts are shown to its active members only; see selectors.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Circle(models.Model):
    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("自由加入")
        APPROVAL = "approval", _("申请审核")
        INVITE = "invite", _("仅限邀请")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("公开")
        MEMBERS_ONLY = "members_only", _("仅成员可见")

    name = models.CharField(_("名称"), max_length=60)
    slug = models.SlugField(_("标识"), max_length=60, unique=True)
    description = models.TextField(_("简介"), max_length=1000, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_circles")
    join_policy = models.CharField(_("加入方式"), max_length=10, choices=JoinPolicy.choices,
                                   default=JoinPolicy.OPEN)
    visibility = models.CharField(_("可见范围"), max_length=12, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    allow_product_cards = models.BooleanField(_("允许分享商品卡片"), default=True)
    allow_promotions = models.BooleanField(_("允许品牌/商家推广帖"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("圈主")
        MODERATOR = "moderator", _("管理员")
        MEMBER = "member", _("成员")

    class State(models.TextChoices):
        ACTIVE = "active", _("成员")
        PENDING = "pending", _("申请中")
        BANNED = "banned", _("已封禁")
        INVITED = "invited", _("已邀请")

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    muted_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["circle", "user"], name="circle_membership_unique")]
        indexes = [models.Index(fields=["circle", "state"], name="circle_member_state")]

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE

    @property
    def is_moderator(self) -> bool:
        return self.is_active and self.role in (self.Role.OWNER, self.Role.MODERATOR)


# Circle posts are tribe.posts.Post rows with `circle` set (related name circle.posts).
