from django import template

from tribe.reach import services

register = template.Library()


@register.simple_tag
def push_config(brand) -> dict:
    """The VAPID public key (empty when push is not configured) and the subscribe endpoint for a station."""
    return {"key": services.public_key(), "subscribe_url": f"/api/v1/brands/{brand.slug}/push-subscriptions"}
