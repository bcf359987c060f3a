"""`{% load loyalty_tags %}{% member_badge user %}`: the member tier badge (e.g. on the profile page)."""

from django import template

from tribe.loyalty import services, tiers

register = template.Library()


@register.inclusion_tag("web/loyalty/_badge.html")
def member_badge(user):
    if user is None or not user.is_authenticated:
        return {"status": None}
    return {"status": tiers.member_status(user), "balance": services.balance(user)}
