"""粉丝社区: a brand's fan community, its members, core-fan early access to new products, and product polls.

Tiers and points are never stored: a member's participation points are computed from their rows about the
brand (posts tagging its products, real reviews, answers, paid purchases) each time they are shown, see
selectors.py. The only snapshot is the voter's tier on a poll ballot: it records what the tier *was* when the
vote was cast, so the brand's results stay stable as members' points change later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_POINTS_PER_ACTION = 1000
MAX_THRESHOLD = 1_000_000
MIN_OPTIONS = 2
MAX_OPTIONS = 10


class Tier(models.TextChoices):
    CORE = "core", _("核心粉丝")
    ACTIVE = "active", _("活跃粉丝")
    REGULAR = "regular", _("普通粉丝")


class FanCommunity(models.Model):
    brand = models.OneToOneField("brands.Brand", on_delete=models.CASCADE, related_name="fan_community")
    name = models.CharField(_("社区名称"), max_length=60)
    intro = models.TextField(_("社区介绍"), max_length=2000, blank=True)
    active_threshold = models.PositiveIntegerField(_("活跃粉丝门槛（积分）"), default=50)
    core_threshold = models.PositiveIntegerField(_("核心粉丝门槛（积分）"), default=200)
    points_post = models.PositiveIntegerField(_("每篇晒图积分"), default=5)
    points_review = models.PositiveIntegerField(_("每条口碑积分"), default=10)
    points_answer = models.PositiveIntegerField(_("每个回答积分"), default=5)
    points_purchase = models.PositiveIntegerField(_("每笔购买积分"), default=20)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("粉丝社区")
        verbose_name_plural = _("粉丝社区")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(active_threshold__gt=0, core_threshold__gt=models.F("active_threshold")),
                name="fans_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def tier_for(self, points: int) -> str:
        if points >= self.core_threshold:
            return Tier.CORE
        if points >= self.active_threshold:
            return Tier.ACTIVE
        return Tier.REGULAR


class FanMember(models.Model):
    community = models.ForeignKey(FanCommunity, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fan_memberships")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "user"], name="fan_member_once")]
        indexes = [models.Index(fields=["community", "joined_at"], name="fan_member_list")]


class EarlyAccess(models.Model):
    """新品抢先购: until `public_at` only core fans of the product's brand may buy it."""

    product = models.OneToOneField("catalog.Product", on_delete=models.CASCADE, related_name="early_access")
    public_at = models.DateTimeField(_("公开发售时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["public_at"], name="early_access_public_at")]

    @property
    def is_active(self) -> bool:
        return self.public_at > timezone.now()


class Poll(models.Model):
    """A product poll (共创投票): the brand asks, eligible fans vote and comment, the brand sees results."""

    community = models.ForeignKey(FanCommunity, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(_("问题"), max_length=200)
    multiple = models.BooleanField(_("可多选"), default=False)
    core_only = models.BooleanField(_("仅核心粉丝可投"), default=True)
    closes_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    closed = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "-created_at"], name="poll_list")]

    def __str__(self) -> str:
        return self.question

    @property
    def is_open(self) -> bool:
        return not self.closed and (self.closes_at is None or self.closes_at > timezone.now())


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class PollBallot(models.Model):
    """One per (poll, voter): the unique constraint makes a double vote fail even when two requests race."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_ballots")
    tier = models.CharField(max_length=10, choices=Tier.choices)  # the voter's computed tier when voting
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "user"], name="poll_ballot_once")]


class PollVote(models.Model):
    """An option chosen on a ballot (one for a single-choice poll, one or more for a multiple-choice one)."""

    ballot = models.ForeignKey(PollBallot, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="votes")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "option"], name="poll_vote_once")]
