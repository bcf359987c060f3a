"""{% early_access_notice product %}: the product page's 新品抢先购 badge near the buy form.

One query for a product without early access; when it is in early access, one more for a signed-in
visitor's tier (core fans are told they may buy now)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from tribe.fans import selectors
from tribe.fans.models import EarlyAccess, FanCommunity, Tier

register = template.Library()


@register.inclusion_tag("web/fans/_early_access.html", takes_context=True)
def early_access_notice(context, product) -> dict:
    ea = EarlyAccess.objects.filter(product_id=product.pk, public_at__gt=timezone.now()).first()
    if ea is None:
        return {"early_access": None}
    request = context.get("request")
    user = getattr(request, "user", None)
    tier = selectors.tier_of(user, product.brand) if user is not None and user.is_authenticated else None
    community = (FanCommunity.objects.filter(brand_id__in=[product.brand_id, product.brand.parent_id or 0])
                 .select_related("brand").order_by("-brand_id" if product.brand.parent_id else "id").first())
    return {"early_access": ea, "is_core": tier == Tier.CORE, "community": community}
