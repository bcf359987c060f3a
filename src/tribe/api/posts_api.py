"""晒图 posts, and comments and likes on any registered content kind (post, review, album, guide, answer, …).

Creating a post is one multipart request (text, tagged products, optional circle or brand, up to 9 images),
so a post is never stored half: everything is checked before the first row is written. Reads answer 404 for
a post the caller may not see (a members-only circle's post for a non-member), exactly as for one that does
not exist.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from tribe.brands.models import Brand
from tribe.circles.models import Circle
from tribe.core.errors import NotFound
from tribe.posts import selectors, services
from tribe.posts.models import Post

from .auth import OPTIONAL, REQUIRED
from .common import actor, ref_by_id, ref_by_slug
from .pagination import Page, PageQuery, paginate
from .schemas import In, OkOut

router = Router(tags=["posts"])

class PostUserRef(Schema):
    id: int
    username: str
    name: str

class PostProductRef(Schema):
    id: int
    name: str
    price: str

class PostCircleRef(Schema):
    slug: str
    name: str

class PostOut(Schema):
    id: int
    author: PostUserRef
    text: str
    circle: PostCircleRef | None
    brand_id: int | None
    is_promotion: bool
    images: list[str] = Field(description="absolute image URLs")
    thumbs: list[str]
    products: list[PostProductRef]
    like_count: int
    comment_count: int
    liked: bool
    created_at: datetime

class PostCommentIn(In):
    kind: str = Field(description="post, review, album, guide, answer, poll …")
    target_id: int
    text: str

class PostCommentOut(Schema):
    id: int
    kind: str
    target_id: int
    author: PostUserRef
    text: str
    created_at: datetime

class PostLikeOut(Schema):
    liked: bool
    like_count: int

class CommentQuery(Schema):
    kind: str
    target_id: int = Field(ge=1)

def _user(u) -> dict:
    return {"id": u.pk, "username": u.username, "name": u.display_name}

def post_out(request, post: Post) -> dict:
    absolute = request.build_absolute_uri
    images = list(post.images.all())
    return {
        "id": post.pk, "author": _user(post.author), "text": post.text,
        "circle": {"slug": post.circle.slug, "name": post.circle.name} if post.circle_id else None,
        "brand_id": post.brand_id, "is_promotion": post.is_promotion,
        "images": [absolute(i.image.url) for i in images], "thumbs": [absolute(i.thumb.url) for i in images],
        "products": [{"id": t.product.pk, "name": t.product.name, "price": f"{t.product.min_price:.2f}"}
                     for t in post.tags.all()],
        "like_count": getattr(post, "like_total", 0), "comment_count": getattr(post, "comment_total", 0),
        "liked": getattr(post, "liked", False), "created_at": post.created_at,
    }

def _page_out(request, qs, params) -> dict:
    page = paginate(selectors.with_display(qs), params)
    selectors.decorate(page["items"], actor(request))
    page["items"] = [post_out(request, p) for p in page["items"]]
    return page

@router.post("/posts", response={201: PostOut}, auth=REQUIRED, summary="Post a 晒图 (multipart form)")
def create_post(request, text: Form[str], products: Form[str] = "", circle: Form[str] = "",
                brand: Form[int] = 0, images: File[list[UploadedFile]] = None):
    """`products`: comma-separated product ids (up to 9). `circle`: a circle slug you are an active member of.
    `brand`: post as this brand (its staff only; promotional). `images`: up to 9 image files."""
    from tribe.web.posts_views import parse_product_refs

    circle_obj = ref_by_slug(Circle.objects.all(), circle, "circle", "circle") if circle else None
    brand_obj = ref_by_id(Brand.objects.all(), brand, "brand", "brand") if brand else None
    post = services.create_post(request.user, text=text, product_ids=parse_product_refs(products),
                                images=images or [], circle=circle_obj, brand=brand_obj, request=request)
    return Status(201, _one(request, post.pk))

def _one(request, post_id: int) -> dict:
    if selectors.find_visible_post(actor(request), post_id) is None:
        raise NotFound(f"post {post_id} not found")
    post = selectors.with_display(Post.objects.filter(pk=post_id)).get()
    selectors.decorate([post], actor(request))
    return post_out(request, post)

@router.get("/posts/{int:post_id}", response=PostOut, auth=OPTIONAL, summary="A post")
def get_post(request, post_id: int):
    return _one(request, post_id)

@router.delete("/posts/{int:post_id}", response=OkOut, auth=REQUIRED, summary="Delete or remove a post")
def delete_post(request, post_id: int):
    post = selectors.find_visible_post(request.user, post_id) if 1 <= post_id <= 2**63 - 1 else None
    if post is None:
        raise NotFound(f"post {post_id} not found")
    services.remove_post(request.user, post)
    return {"ok": True}

@router.get("/users/{username}/posts", response=Page[PostOut], auth=OPTIONAL, summary="A user's visible posts")
def user_posts(request, username: str, params: Query[PageQuery]):
    qs = selectors.visible_posts(actor(request)).filter(author__username=username[:150], author__is_active=True)
    return _page_out(request, qs.order_by("-created_at", "-id"), params)

@router.get("/products/{int:product_id}/posts", response=Page[PostOut], auth=OPTIONAL,
            summary="Posts and circle discussions tagging a product")
def product_posts(request, product_id: int, params: Query[PageQuery]):
    qs = selectors.visible_posts(actor(request)).filter(tags__product_id=min(product_id, 2**63 - 1))
    return _page_out(request, qs.order_by("-created_at", "-id"), params)

def _comment_out(c) -> dict:
    return {"id": c.pk, "kind": c.target_kind, "target_id": c.target_id, "author": _user(c.author),
            "text": c.text, "created_at": c.created_at}

@router.get("/comments", response=list[PostCommentOut], auth=OPTIONAL, summary="Comments on a target (oldest first)")
def list_comments(request, q: Query[CommentQuery]):
    services._target(actor(request), q.kind, q.target_id)  # 404 for what the caller may not see
    return [_comment_out(c) for c in selectors.comments_for(q.kind, q.target_id)]

@router.post("/comments", response={201: PostCommentOut}, auth=REQUIRED, summary="Comment on a target")
def add_comment(request, payload: PostCommentIn):
    comment = services.add_comment(request.user, payload.kind, payload.target_id, payload.text, request=request)
    return Status(201, _comment_out(comment))

@router.delete("/comments/{int:comment_id}", response=OkOut, auth=REQUIRED,
               summary="Remove a comment (its author, the target's owner, or a circle moderator)")
def remove_comment(request, comment_id: int):
    services.remove_comment(request.user, comment_id)
    return {"ok": True}

def _like_state(request, kind: str, target_id: int) -> dict:
    counts = selectors.counts_for(kind, [target_id], request.user)[target_id]
    return {"liked": counts["liked"], "like_count": counts["likes"]}

@router.put("/likes/{kind}/{int:target_id}", response=PostLikeOut, auth=REQUIRED, summary="Like (idempotent)")
def like(request, kind: str, target_id: int):
    services.like(request.user, kind, target_id, request=request)
    return _like_state(request, kind, target_id)

@router.delete("/likes/{kind}/{int:target_id}", response=PostLikeOut, auth=REQUIRED, summary="Unlike")
def unlike(request, kind: str, target_id: int):
    services.unlike(request.user, kind, target_id)
    return _like_state(request, kind, target_id)

