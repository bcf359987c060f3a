"""`{% load coupon_tags %}` then `{% product_coupons product %}` on the product page or `{% brand_coupons brand %}`
on the brand station: the claimable coupons that cover it, each with its claim button (HTMX). Three queries,
whatever the number of coupons shown."""

from __future__ import annotations

from django import template

from tribe.coupons import selectors

register = template.Library()
SHOWN = 5


def _context(context, templates) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    rows = list(templates[:SHOWN])
    held = selectors.held_counts(user, rows)
    return {"rows": [{"t": t, "held": held.get(t.pk, 0)} for t in rows], "request": request, "user": user,
            "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("web/coupons/_snippet.html", takes_context=True)
def product_coupons(context, product):
    return _context(context, selectors.claimable_for_product(product))


@register.inclusion_tag("web/coupons/_snippet.html", takes_context=True)
def brand_coupons(context, brand):
    return {**_context(context, selectors.claimable().filter(brand=brand)), "brand": brand}
