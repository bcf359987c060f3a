"""`{% load trials %}{% trial_review_ids product_id as trial_ids %}`: the product's trial-report review ids,
so a review list can show a 试用报告 badge with `{% if r.pk in trial_ids %}` (one query per list)."""

from django import template

from tribe.trials import selectors

register = template.Library()


@register.simple_tag
def trial_review_ids(product) -> set[int]:
    return selectors.trial_review_ids(product)


@register.inclusion_tag("web/trials/_product_link.html")
def product_trial_link(product):
    """`{% product_trial_link product %}`: a link to the product's live trial, or nothing."""
    return {"trial": selectors.open_trial_for(product)}
