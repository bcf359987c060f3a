"""{% inbox_nav %}: the nav's 私信 and 通知 links. Their unread badges load with HTMX after the page
(/messages/badge/, /notifications/badge/: one COUNT each), so rendering a page costs no query for them."""

from django import template

register = template.Library()


@register.inclusion_tag("web/messages/_nav.html", takes_context=True)
def inbox_nav(context):
    return {"user": context.get("user")}
