"""Writes for 晒图 posts, comments and likes.

Everything a write needs is checked before the first row is written (images decoded too), then the rows go
in one transaction; listeners of `post_created` (the feed's fan-out) run after commit.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from tribe.brands.models import Brand, BrandMembership
from tribe.catalog.models import Product
from tribe.circles.models import Circle, Membership
from tribe.core.errors import NotFound, PermissionDenied, ValidationFailed
from tribe.core.events import record_event
from tribe.core.images import check_image
from tribe.core.text import clean_text
from tribe.notifications.services import notify

from . import targets
from .models import (
    MAX_COMMENT_TEXT,
    MAX_POST_IMAGES,
    MAX_POST_PRODUCTS,
    MAX_POST_TEXT,
    Comment,
    Like,
    Post,
    PostImage,
    PostProduct,
)

MAX_ID = 2**63 - 1
# sent after the post's transaction commits: post_created.send(sender=Post, post=post)
post_created = Signal()
post_removed = Signal()


def _products(product_ids) -> list[Product]:
    ids = []
    for raw in list(product_ids or []):
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_ID:
            raise ValidationFailed("products: ids must be positive integers", fields={"products": "invalid id"})
        if raw not in ids:
            ids.append(raw)
    if len(ids) > MAX_POST_PRODUCTS:
        raise ValidationFailed(f"products: at most {MAX_POST_PRODUCTS}", code="too_many_products",
                               fields={"products": f"max {MAX_POST_PRODUCTS}"})
    found = {p.pk: p for p in Product.objects.filter(pk__in=ids, published=True, store__is_active=True)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationFailed(f"products: unknown product {missing[0]}", fields={"products": "unknown product"})
    return [found[i] for i in ids]


def _images(uploads) -> list:
    uploads = list(uploads or [])
    if len(uploads) > MAX_POST_IMAGES:
        raise ValidationFailed(f"images: at most {MAX_POST_IMAGES}", code="too_many_images",
                               fields={"images": f"max {MAX_POST_IMAGES}"})
    return [check_image(upload, field="images") for upload in uploads]


def _circle_member(author, circle: Circle, *, lock: bool = False) -> Membership:
    qs = Membership.objects.filter(circle=circle, user=author)
    if lock:
        qs = qs.select_for_update()
    mine = qs.first()
    if mine is None or not mine.is_active:
        code = "banned" if mine is not None and mine.state == Membership.State.BANNED else "not_member"
        raise PermissionDenied("only members may post in this circle", code=code)
    if mine.muted_until is not None and mine.muted_until > timezone.now():
        raise PermissionDenied("you are muted in this circle", code="muted")
    return mine


def create_post(author, *, text, images=None, product_ids=None, circle: Circle | None = None,
                brand: Brand | None = None, request=None) -> Post:
    """A 晒图 post: text (required), up to 9 images, up to 9 tagged products; in a circle if `circle`;
    posted as `brand` (staff only) if given. A post is promotional when posted as a brand or when its author
    is staff of a tagged product's brand; circles refuse promotional posts unless they allow them."""
    if author is None or not author.is_authenticated:
        raise PermissionDenied("sign in to post", code="not_authenticated")
    if circle is not None:
        _circle_member(author, circle)
    text = clean_text(text, "text", max_length=MAX_POST_TEXT, required=True)
    products = _products(product_ids)
    if brand is not None and not BrandMembership.objects.filter(brand=brand, user=author).exists():
        raise PermissionDenied("only the brand's staff may post as the brand", code="not_brand_staff")
    staff_brands = set(BrandMembership.objects.filter(
        user=author, brand_id__in={p.brand_id for p in products}).values_list("brand_id", flat=True))
    is_promotion = brand is not None or bool(staff_brands)
    if circle is not None:
        if products and not circle.allow_product_cards:
            raise PermissionDenied("this circle does not allow product cards", code="product_cards_off")
        if is_promotion and not circle.allow_promotions:
            raise PermissionDenied("brand and merchant promotional posts are not allowed in this circle",
                                   code="promotion_not_allowed")
    checked = _images(images)
    with transaction.atomic():
        if circle is not None:
            _circle_member(author, circle, lock=True)  # a ban or mute that raced us wins
        # whose promotion it is: the brand posted as, else the tagged brand the author works for
        brand_id = brand.pk if brand is not None else (min(staff_brands) if staff_brands else None)
        post = Post.objects.create(author=author, text=text, circle=circle, brand_id=brand_id,
                                   is_promotion=is_promotion)
        PostProduct.objects.bulk_create(
            [PostProduct(post=post, product=p, position=i) for i, p in enumerate(products)])
        for position, item in enumerate(checked):
            image = PostImage(post=post, position=position)
            image.image.save(item.full.name, item.full, save=False)
            image.thumb.save(item.thumb.name, item.thumb, save=False)
            image.save()
        transaction.on_commit(lambda: post_created.send(sender=Post, post=post))
    record_event("post", request, actor=author, obj=post, brand_id=post.brand_id,
                 props={"images": len(checked), "products": [p.pk for p in products],
                        "circle": circle.pk if circle else None, "promotion": is_promotion})
    return post


def _can_moderate_circle(actor, circle_id: int | None) -> bool:
    if circle_id is None or actor is None or not actor.is_authenticated:
        return False
    mine = Membership.objects.filter(circle_id=circle_id, user=actor).first()
    return mine is not None and mine.is_moderator


@transaction.atomic
def remove_post(actor, post: Post) -> Post:
    """The author deletes their post; a circle's moderators remove posts in their circle; a brand's staff
    remove the brand's posts. Removed posts disappear from every page, list and feed."""
    allowed = (
        actor is not None and actor.is_authenticated
        and (post.author_id == actor.pk or _can_moderate_circle(actor, post.circle_id)
             or (post.brand_id is not None
                 and BrandMembership.objects.filter(brand_id=post.brand_id, user=actor).exists()))
    )
    if not allowed:
        raise PermissionDenied("you may not remove this post", code="not_moderator")
    if not post.removed:
        post.removed = True
        post.save(update_fields=["removed"])
        transaction.on_commit(lambda: post_removed.send(sender=Post, post=post))
    return post


# --- comments and likes -------------------------------------------------------------------------------------

def _target(user, kind: str, target_id: int):
    target = targets.get(kind) if isinstance(kind, str) else None
    if target is None:
        raise NotFound(f"unknown target kind {kind!r}", code="unknown_target")
    if isinstance(target_id, bool) or not isinstance(target_id, int) or not 1 <= target_id <= MAX_ID:
        raise NotFound(f"{kind} {target_id} not found")
    obj = target.find(user, target_id)
    if obj is None:
        raise NotFound(f"{kind} {target_id} not found")
    return target, obj


def _require_can_interact(user, target, obj) -> None:
    """Inside a circle only active, unmuted members may comment or like."""
    circle_id = target.circle_id(obj)
    if circle_id is not None:
        _circle_member(user, Circle(pk=circle_id))


def add_comment(user, kind: str, target_id: int, text, request=None) -> Comment:
    if user is None or not user.is_authenticated:
        raise PermissionDenied("sign in to comment", code="not_authenticated")
    target, obj = _target(user, kind, target_id)
    _require_can_interact(user, target, obj)
    text = clean_text(text, "text", max_length=MAX_COMMENT_TEXT, required=True)
    with transaction.atomic():
        comment = Comment.objects.create(target_kind=kind, target_id=target_id, author=user, text=text)
        notify(target.owner_id(obj), "comment", actor=user, url=target.url(obj), target_kind=kind,
               target_id=target_id, circle_id=target.circle_id(obj),
               text=_("%(name)s 评论了你的内容：%(text)s") % {"name": user.nickname or user.username,
                                                          "text": text[:60]})
    record_event("comment", request, actor=user, obj=comment, props={"target": kind, "target_id": target_id})
    return comment


def remove_comment(actor, comment_id: int) -> Comment:
    comment = Comment.objects.filter(pk=comment_id).first() if 1 <= comment_id <= MAX_ID else None
    if comment is None or comment.removed:
        raise NotFound(f"comment {comment_id} not found")
    target, obj = _target(actor, comment.target_kind, comment.target_id)
    if actor is None or not actor.is_authenticated or not (
        comment.author_id == actor.pk or target.owner_id(obj) == actor.pk
        or _can_moderate_circle(actor, target.circle_id(obj))
    ):
        raise PermissionDenied("you may not remove this comment", code="not_allowed")
    comment.removed = True
    comment.save(update_fields=["removed"])
    return comment


def like(user, kind: str, target_id: int, request=None) -> bool:
    """Idempotent. Returns True when this call created the like."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied("sign in to like", code="not_authenticated")
    target, obj = _target(user, kind, target_id)
    _require_can_interact(user, target, obj)
    try:
        with transaction.atomic():
            created = Like.objects.get_or_create(target_kind=kind, target_id=target_id, user=user)[1]
    except IntegrityError:  # a racing twin inserted it first
        created = False
    if created:
        notify(target.owner_id(obj), "like", actor=user, url=target.url(obj), target_kind=kind,
               target_id=target_id, circle_id=target.circle_id(obj),
               text=_("%(name)s 赞了你的内容") % {"name": user.nickname or user.username})
        record_event("like", request, actor=user, props={"target": kind, "target_id": target_id})
    return created


def unlike(user, kind: str, target_id: int) -> bool:
    if user is None or not user.is_authenticated:
        raise PermissionDenied("sign in first", code="not_authenticated")
    _target(user, kind, target_id)
    return Like.objects.filter(target_kind=kind, target_id=target_id, user=user).delete()[0] > 0


def find_post(post_id: int) -> Post:
    post = Post.objects.filter(pk=post_id, removed=False).first() if 1 <= post_id <= MAX_ID else None
    if post is None:
        raise NotFound(f"post {post_id} not found")
    return post

