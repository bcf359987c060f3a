"""Wiring: order lifecycle signals, the two checkout adjusters, content hooks (reviews with photos, answers)
and the periodic expiry job. Connected from LoyaltyConfig.ready()."""

from __future__ import annotations

from django.db.models.signals import post_save

from tribe.orders import signals as order_signals

from . import checkout, conf, services


def _placed(sender, order, request=None, **kwargs):
    checkout.on_order_placed(order)


def _cancelled(sender, order, **kwargs):
    checkout.on_order_cancelled(order)


def _paid(sender, order, **kwargs):
    checkout.on_order_paid(order)


def _refunded(sender, line, amount, **kwargs):
    checkout.on_line_refunded(line, amount)


def _review_image(sender, instance, created, raw=False, **kwargs):
    """A review with photos earns points once per review (ref review:<id>), within the daily cap. Imported
    reviews (a public dataset) earn nothing."""
    if not created or raw:
        return
    from tribe.catalog.models import Product
    from tribe.content.models import Review

    row = Review.objects.filter(pk=instance.review_id).values_list("author_id", "imported_from", "product_id").first()
    if row is None or row[1]:
        return
    points, cap = conf.review_points()
    if points <= 0:
        return
    brand_id = Product.objects.filter(pk=row[2]).values_list("store__brand_id", flat=True).first()
    services.credit_capped(row[0], points, reason="review", ref=f"review:{instance.review_id}", daily_cap=cap,
                           brand_id=brand_id)


def _answer(sender, instance, created, raw=False, **kwargs):
    if not created or raw or instance.removed:
        return
    points, cap = conf.answer_points()
    if points > 0:
        services.credit_capped(instance.author_id, points, reason="answer", ref=f"answer:{instance.pk}",
                               daily_cap=cap)


def connect() -> None:
    from tribe.core import periodic
    from tribe.orders.pricing import register_adjuster

    from . import tiers

    register_adjuster("tier_price", tiers.tier_price_adjuster, priority=30)
    register_adjuster("points", checkout.points_adjuster, priority=80)
    order_signals.order_placed.connect(_placed, dispatch_uid="loyalty.placed")
    order_signals.order_cancelled.connect(_cancelled, dispatch_uid="loyalty.cancelled")
    order_signals.order_paid.connect(_paid, dispatch_uid="loyalty.paid")
    order_signals.line_refunded.connect(_refunded, dispatch_uid="loyalty.refunded")
    post_save.connect(_review_image, sender="content.ReviewImage", dispatch_uid="loyalty.review_image")
    post_save.connect(_answer, sender="qa.Answer", dispatch_uid="loyalty.answer")
    periodic.register("loyalty_expire_points", "tribe.loyalty.tasks.expire_points_task", every_seconds=3600)
