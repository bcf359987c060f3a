"""`{% follow_brand_button brand %}`: the follow button a station shows, with its live follower count.

A tag (not view context) so every station kind gets it from the shared story include; it costs one query.
"""

from django import template
from django.urls import reverse

from tribe.social.selectors import follow_state

register = template.Library()


@register.inclusion_tag("web/_follow_button.html", takes_context=True)
def follow_brand_button(context, brand):
    request = context["request"]
    state = follow_state(request.user, brand=brand)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "action": reverse("web:brand_follow", args=[brand.slug]),
        "following": state["following"],
        "followers": state["followers"],
        "testid": "brand-follow",
    }
