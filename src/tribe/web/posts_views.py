"""晒图 post pages (new, detail, remove) and the comment/like actions every kind of content shares.

Comments and likes answer HTMX with the refreshed block and plain form posts with a redirect back; a refused
action re-renders with the reason and the service's 4xx status. Nothing here decides who may see what:
tribe.posts.selectors and each kind's registered `find` do.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tribe.brands.models import Brand, BrandMembership
from tribe.catalog.models import Product
from tribe.circles.models import Circle, Membership
from tribe.core.errors import DomainError, ValidationFailed
from tribe.posts import selectors, services, targets
from tribe.posts.models import MAX_POST_TEXT, Comment
from tribe.sharing.services import note_share_open

MAX_ID = 2**63 - 1
_PRODUCT_REF = re.compile(r"(?:/p/)?(\d{1,18})/?")


def parse_product_refs(raw: str) -> list[int]:
    """"12, 34" or pasted product links ("https://…/p/12/") → [12, 34]. Anything else is a 422."""
    ids: list[int] = []
    for part in re.split(r"[\s,，、]+", (raw or "").strip()):
        if not part:
            continue
        match = _PRODUCT_REF.search(part)
        if match is None or (not part.isdigit() and "/p/" not in part):
            raise ValidationFailed(_("商品：请填写商品编号或商品链接"), fields={"products": "invalid"})
        ids.append(int(match.group(1)))
    return ids


class PostForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("说点什么"), max_length=MAX_POST_TEXT, required=False,
                           widget=forms.Textarea(attrs={"rows": 5, "placeholder": gettext_lazy("分享你的真实体验")}))
    products = forms.CharField(label=gettext_lazy("标记商品（商品编号或链接，用逗号分隔，最多 9 个）"),
                               required=False, max_length=1000)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) and nxt.startswith("/"):
        return nxt
    return fallback


def _staff_brands(user) -> list[Brand]:
    if not user.is_authenticated:
        return []
    return list(Brand.objects.filter(pk__in=BrandMembership.objects.filter(user=user).values("brand_id")))


def _my_circles(user) -> list[Circle]:
    return list(Circle.objects.filter(memberships__user=user, memberships__state=Membership.State.ACTIVE)
                .order_by("name")[:100])


@login_required
@require_http_methods(["GET", "POST"])
def post_new(request: HttpRequest) -> HttpResponse:
    initial = {}
    product_ref = request.GET.get("product", "")
    if product_ref.isdigit():
        initial["products"] = product_ref
    form = PostForm(request.POST or None, initial=initial)
    circles = _my_circles(request.user)
    brands = _staff_brands(request.user)
    status, error = 200, ""
    chosen_circle = request.POST.get("circle") or request.GET.get("circle", "")
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                circle = None
                if chosen_circle:
                    circle = next((c for c in circles if c.slug == chosen_circle), None)
                    if circle is None:
                        raise ValidationFailed(_("圈子：你不是这个圈子的成员"), fields={"circle": "not a member"})
                brand = None
                if request.POST.get("as_brand"):
                    brand = next((b for b in brands if str(b.pk) == request.POST["as_brand"]), None)
                    if brand is None:
                        raise ValidationFailed(_("只能以你所在品牌的身份发布"), fields={"as_brand": "invalid"})
                post = services.create_post(
                    request.user, text=form.cleaned_data["text"], images=request.FILES.getlist("images"),
                    product_ids=parse_product_refs(form.cleaned_data["products"]), circle=circle, brand=brand,
                    request=request)
            except DomainError as exc:
                error = exc.message
                status = exc.status
            else:
                messages.success(request, _("已发布"))
                return redirect("web:post", pk=post.pk)
        else:
            error = _("请检查填写的内容")
    preview = []
    if initial.get("products"):
        preview = list(Product.objects.filter(pk=int(initial["products"]), published=True)[:1]) \
            if int(initial["products"]) <= MAX_ID else []
    return render(request, "web/posts/new.html", {
        "form": form, "circles": circles, "brands": brands, "error": error, "chosen_circle": chosen_circle,
        "preview_products": preview, "max_images": 9,
    }, status=status)


def _visible_post_or_404(request: HttpRequest, pk: int):
    post = selectors.find_visible_post(request.user, pk) if pk <= MAX_ID else None
    if post is None:
        raise Http404(_("内容不存在"))
    return post


@require_GET
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = _visible_post_or_404(request, pk)
    post = selectors.with_display(selectors.visible_posts(request.user).filter(pk=post.pk)).get()
    selectors.decorate([post], request.user)
    shareable = post.circle_id is None or post.circle.is_public
    if shareable:
        note_share_open(request, "post", post)
    return render(request, "web/posts/detail.html", {"post": post, "shareable": shareable})


@login_required
@require_POST
def post_remove(request: HttpRequest, pk: int) -> HttpResponse:
    post = _visible_post_or_404(request, pk)
    try:
        services.remove_post(request.user, post)
    except DomainError as exc:
        return render(request, "web/posts/error.html", {"error": exc.message}, status=exc.status)
    messages.success(request, _("已删除"))
    return redirect(f"/circles/{post.circle.slug}/" if post.circle_id else "/feed/")


def _block_response(request: HttpRequest, kind: str, target_id: int, *, error: str = "", status: int = 200):
    from tribe.posts.templatetags.posts import interaction_context

    context = interaction_context(request, kind, target_id)
    context["error"] = error
    return render(request, "web/_comments.html", context, status=status)


def _act(request: HttpRequest, kind: str, target_id: int, action) -> HttpResponse:
    target = targets.get(kind)
    if target is None or target_id > MAX_ID:
        raise Http404(_("内容不存在"))
    try:
        action()
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        if request.headers.get("HX-Request"):
            return _block_response(request, kind, target_id, error=exc.message, status=exc.status)
        return render(request, "web/posts/error.html", {"error": exc.message}, status=exc.status)
    if request.headers.get("HX-Request"):
        return _block_response(request, kind, target_id)
    obj = target.find(request.user, target_id)
    return redirect(_safe_next(request, target.url(obj) if obj is not None else "/"))


@login_required
@require_POST
def comment_add(request: HttpRequest, kind: str, target_id: int) -> HttpResponse:
    return _act(request, kind, target_id,
                lambda: services.add_comment(request.user, kind, target_id, request.POST.get("text", ""),
                                             request=request))


@login_required
@require_POST
def comment_remove(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = Comment.objects.filter(pk=min(comment_id, MAX_ID), removed=False).first()
    if comment is None:
        raise Http404(_("评论不存在"))
    return _act(request, comment.target_kind, comment.target_id,
                lambda: services.remove_comment(request.user, comment.pk))


@login_required
@require_POST
def like_toggle(request: HttpRequest, kind: str, target_id: int) -> HttpResponse:
    def toggle():
        if request.POST.get("undo"):
            services.unlike(request.user, kind, target_id)
        else:
            services.like(request.user, kind, target_id, request=request)
    return _act(request, kind, target_id, toggle)
