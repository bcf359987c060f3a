"""What every marketing play (拼团, 砍价, 秒杀, 抽奖, 试用, 预售, coupons…) has in common: an abstract base.

Each play is its own app with its own tables (tribe.groupbuy, tribe.bargain, …); they share these fields and
the lifecycle in tribe.campaigns.services:

    draft ─start→ running ─pause→ paused ─resume→ running ─end→ ended
      └──────────────────────────────end──────────────────────────┘

A play is *live* when it is running and now is inside [starts_at, ends_at). `code` ("groupbuy:12") is what the
play's orders, events and share links carry as their campaign, so analytics can group by it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PlayStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    RUNNING = "running", _("进行中")
    PAUSED = "paused", _("已暂停")
    ENDED = "ended", _("已结束")


class Play(models.Model):
    KIND = "play"  # each concrete play sets its kind, e.g. "groupbuy"

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("活动名称"), max_length=80)
    description = models.CharField(_("活动说明"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=PlayStatus.choices, default=PlayStatus.DRAFT)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def code(self) -> str:
        return f"{self.KIND}:{self.pk}"

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == PlayStatus.RUNNING and self.starts_at <= now < self.ends_at

    @property
    def phase(self) -> str:
        """What a visitor sees: upcoming | live | paused | ended | draft."""
        now = timezone.now()
        if self.status == PlayStatus.DRAFT:
            return "draft"
        if self.status == PlayStatus.ENDED or now >= self.ends_at:
            return "ended"
        if self.status == PlayStatus.PAUSED:
            return "paused"
        return "live" if now >= self.starts_at else "upcoming"

    def __str__(self) -> str:
        return self.title
