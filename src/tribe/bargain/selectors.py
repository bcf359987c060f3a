"""Reads for the bargain pages, API and console, in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, Q, Sum

from tribe.catalog.models import ProductImage

from .models import Bargain, BargainCampaign, BargainHelp

St = Bargain.State


def campaign_queryset():
    return BargainCampaign.objects.select_related("brand", "sku__product").prefetch_related(
        Prefetch("sku__product__images", queryset=ProductImage.objects.order_by("position", "id")))


def bargain_queryset():
    """A bargain with its campaign, SKU, product (and cover images) and brand: what its page and card show."""
    return Bargain.objects.select_related("campaign__brand", "campaign__sku__product__brand", "initiator") \
        .prefetch_related(Prefetch("campaign__sku__product__images",
                                   queryset=ProductImage.objects.order_by("position", "id")))


def helps_of(bargain: Bargain) -> list[BargainHelp]:
    """The real helps, in the order they landed, with their helpers (one query)."""
    return list(BargainHelp.objects.filter(bargain=bargain).select_related("helper").order_by("seq"))


def campaign_stats(campaign: BargainCampaign) -> dict:
    """Started, reached the floor, bought, helps and conversion (bought / started), computed from the rows."""
    row = Bargain.objects.filter(campaign=campaign).aggregate(
        started=Count("id"), reached=Count("id", filter=Q(current_price=F("floor_price"))),
        bought=Count("id", filter=Q(state=St.BOUGHT)), paid=Count("id", filter=Q(order__paid_at__isnull=False)),
        expired=Count("id", filter=Q(state=St.EXPIRED)))
    helps = BargainHelp.objects.filter(bargain__campaign=campaign).aggregate(
        n=Count("id"), new=Count("id", filter=Q(new_user=True)), cut=Sum("amount"))
    started = row["started"] or 0
    return {**row, "helps": helps["n"], "new_user_helps": helps["new"], "cut_total": helps["cut"] or 0,
            "conversion": round(row["bought"] * 100 / started, 1) if started else 0.0,
            "paid_conversion": round(row["paid"] * 100 / started, 1) if started else 0.0}

