"""Coupon reads: what can be claimed (overall, for a brand, for a product), a user's wallet, redemption stats
computed from the rows, and the share card."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from tribe.campaigns.models import PlayStatus
from tribe.sharing.registry import ShareCard

from .models import CouponTemplate, Scope, UserCoupon

ZERO = Decimal("0.00")
MAX_ID = 2**63 - 1


def claimable(now=None) -> QuerySet[CouponTemplate]:
    """Live, publicly claimable templates with stock left, soonest-ending first."""
    now = now or timezone.now()
    return (CouponTemplate.objects.filter(status=PlayStatus.RUNNING, claimable=True, starts_at__lte=now,
                                          ends_at__gt=now)
            .filter(Q(total_quantity__isnull=True) | Q(granted_count__lt=F("total_quantity")))
            .select_related("brand").order_by("ends_at", "pk"))


def claimable_for_product(product, now=None) -> QuerySet[CouponTemplate]:
    """The claimable templates that cover a product (its brand or its store's brand, then the scope)."""
    parts = [p for p in (product.category.path if product.category_id else "").split("/") if p]
    ancestors = ["/" + "/".join(parts[:i + 1]) + "/" for i in range(len(parts))]
    in_brand = Q(brand_id=product.brand_id) | Q(brand_id=product.store.brand_id)
    scoped = (Q(scope=Scope.BRAND) | Q(scope=Scope.STORE, scope_store_id=product.store_id)
              | Q(scope=Scope.CATEGORY, scope_category__path__in=ancestors)
              | Q(scope=Scope.PRODUCTS, scope_products=product))
    return claimable(now).filter(in_brand).filter(scoped).distinct()


def held_counts(user, templates) -> dict[int, int]:
    """How many of each template the user holds (not void): one query."""
    if not getattr(user, "is_authenticated", False):
        return {}
    rows = (UserCoupon.objects.filter(user=user, template__in=[t.pk for t in templates]).exclude(state="void")
            .values("template_id").annotate(n=Count("pk")))
    return {r["template_id"]: r["n"] for r in rows}


def wallet(user, state: str | None = None) -> QuerySet[UserCoupon]:
    """The user's coupons; `state` as shown (an available coupon past its window counts as expired)."""
    now = timezone.now()
    qs = UserCoupon.objects.filter(user=user).select_related("template__brand", "order")
    if state == UserCoupon.State.AVAILABLE:
        qs = qs.filter(state=state, valid_to__gt=now).order_by("valid_to", "pk")
    elif state == UserCoupon.State.EXPIRED:
        qs = qs.filter(Q(state=state) | Q(state=UserCoupon.State.AVAILABLE, valid_to__lte=now))
    elif state:
        qs = qs.filter(state=state)
    return qs


def stats(templates) -> dict[int, dict]:
    """Per template: granted, used, available, discount given — sums over the UserCoupon rows (one query)."""
    rows = (UserCoupon.objects.filter(template__in=[t.pk for t in templates]).values("template_id")
            .annotate(granted=Count("pk", filter=~Q(state="void")),
                      used=Count("pk", filter=Q(state="used")),
                      available=Count("pk", filter=Q(state="available")),
                      discount=Sum("discount", filter=Q(state="used"))))
    out = {t.pk: {"granted": 0, "used": 0, "available": 0, "discount": ZERO} for t in templates}
    for r in rows:
        out[r["template_id"]] = {"granted": r["granted"], "used": r["used"], "available": r["available"],
                                 "discount": Decimal(r["discount"] or 0).quantize(Decimal("0.01"))}
    return out


def find_shared_template(key: str) -> CouponTemplate | None:
    if not key.isdigit() or int(key) > MAX_ID:
        return None
    return (CouponTemplate.objects.select_related("brand")
            .filter(pk=int(key), claimable=True, status__in=[PlayStatus.RUNNING, PlayStatus.PAUSED]).first())


def coupon_card(template: CouponTemplate) -> ShareCard:
    logo = template.brand.logo
    return ShareCard(title=f"{template.brand.name} · {template.title}",
                     description=template.summary + (f" · {template.description}" if template.description else ""),
                     image_url=logo.url if logo else "", price=None,
                     url=reverse("web:coupon", args=[template.pk]))
