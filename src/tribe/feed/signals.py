"""Feed routing hooks: new posts and new reviews get a feed item after their transaction commits."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save

from tribe.content.models import Review
from tribe.posts.services import post_created, post_removed

from . import services


def _post_created(sender, post, **kwargs):
    services.add_post(post)


def _post_removed(sender, post, **kwargs):
    services.remove_post(post)


def _review_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        transaction.on_commit(lambda: services.add_review(instance))


def connect() -> None:
    post_created.connect(_post_created, dispatch_uid="feed.post_created")
    post_removed.connect(_post_removed, dispatch_uid="feed.post_removed")
    post_save.connect(_review_saved, sender=Review, dispatch_uid="feed.review_saved")
