"""The social graph: who follows whom (a user, a brand or a store), who blocked whom, who muted what.

Friends are not stored: a friendship is two follows pointing at each other (see selectors.friend_ids), so it
can never disagree with the follows. Counts are always computed from these rows, never kept as numbers.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# Exactly one of the target columns is set: written out, because CHECK constraints cannot count.
_ONLY_USER = Q(followed_user__isnull=False, brand__isnull=True, store__isnull=True)
_ONLY_BRAND = Q(followed_user__isnull=True, brand__isnull=False, store__isnull=True)
_ONLY_STORE = Q(followed_user__isnull=True, brand__isnull=True, store__isnull=False)


class Follow(models.Model):
    """One follower following exactly one target. A 达人 is a user with `is_promoter`, followed as a user."""

    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    followed_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="followers"
    )
    brand = models.ForeignKey(
        "brands.Brand", on_delete=models.CASCADE, null=True, blank=True, related_name="followers"
    )
    store = models.ForeignKey(
        "brands.Store", on_delete=models.CASCADE, null=True, blank=True, related_name="followers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("关注")
        verbose_name_plural = _("关注")
        constraints = [
            models.CheckConstraint(condition=_ONLY_USER | _ONLY_BRAND | _ONLY_STORE, name="follow_one_target"),
            models.CheckConstraint(condition=~Q(follower=F("followed_user")), name="follow_not_self"),
            models.UniqueConstraint(
                fields=["follower", "followed_user"], condition=Q(followed_user__isnull=False),
                name="follow_unique_user",
            ),
            models.UniqueConstraint(
                fields=["follower", "brand"], condition=Q(brand__isnull=False), name="follow_unique_brand"
            ),
            models.UniqueConstraint(
                fields=["follower", "store"], condition=Q(store__isnull=False), name="follow_unique_store"
            ),
        ]
        indexes = [
            # followers of a user, newest first (the followers list and counts)
            models.Index(fields=["followed_user", "-created_at"], name="follow_user_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} → {self.followed_user_id or self.brand_id or self.store_id}"


class Block(models.Model):
    """`blocker` blocked `blocked`: no follows either way while it stands."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocked_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("拉黑")
        verbose_name_plural = _("拉黑")
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]


class Mute(models.Model):
    """`user` muted a user or a brand: the follow stays, their items are hidden from the user's feeds."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutes")
    muted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="muted_by"
    )
    brand = models.ForeignKey(
        "brands.Brand", on_delete=models.CASCADE, null=True, blank=True, related_name="muted_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("屏蔽")
        verbose_name_plural = _("屏蔽")
        constraints = [
            models.CheckConstraint(
                condition=Q(muted_user__isnull=False, brand__isnull=True)
                | Q(muted_user__isnull=True, brand__isnull=False),
                name="mute_one_target",
            ),
            models.CheckConstraint(condition=~Q(user=F("muted_user")), name="mute_not_self"),
            models.UniqueConstraint(
                fields=["user", "muted_user"], condition=Q(muted_user__isnull=False), name="mute_unique_user"
            ),
            models.UniqueConstraint(
                fields=["user", "brand"], condition=Q(brand__isnull=False), name="mute_unique_brand"
            ),
        ]
