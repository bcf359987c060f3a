"""{% interactions kind id %}: the like button, comment count, comments and the comment form of any
registered content kind (tribe.posts.targets). Renders nothing for a target the viewer may not see."""

from __future__ import annotations

from django import template

from tribe.posts import selectors, targets

register = template.Library()


def interaction_context(request, kind: str, target_id: int) -> dict:
    user = request.user
    target = targets.get(kind)
    obj = target.find(user, int(target_id)) if target is not None else None
    if obj is None:
        return {"hidden": True}
    counts = selectors.counts_for(kind, [int(target_id)], user)[int(target_id)]
    return {
        "hidden": False, "kind": kind, "target_id": int(target_id), "counts": counts,
        "comments": selectors.comments_for(kind, int(target_id)), "request": request, "user": user,
        "owner_id": target.owner_id(obj), "next": target.url(obj),
    }


@register.inclusion_tag("web/_comments.html", takes_context=True)
def interactions(context, kind: str, target_id: int) -> dict:
    out = interaction_context(context["request"], kind, target_id)
    out["csrf_token"] = context.get("csrf_token")
    return out
