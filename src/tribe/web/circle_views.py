"""Circle pages: list, create, the circle page (posts, join button, post form), members, moderation.

Visibility follows tribe.circles.selectors: the list shows only circles the viewer may see; a members-only
circle's page shows non-members its name, description and a "members only" notice — no posts, members or
counts; its members page is a 404 for them. Every action calls one service; a refused action re-renders the
circle page with the reason and the service's 4xx status.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tribe.circles import selectors, services
from tribe.circles.models import Circle
from tribe.core.errors import DomainError
from tribe.posts.models import Post
from tribe.sharing.services import note_share_open

from .listing import bad_request, pager

PER_PAGE = 20
MAX_PAGE = 500
MAX_ID = 2**63 - 1


class CircleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=60)
    slug = forms.SlugField(label=gettext_lazy("标识（网址用，小写字母、数字、连字符）"), max_length=60)
    description = forms.CharField(label=gettext_lazy("简介"), max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    join_policy = forms.ChoiceField(label=gettext_lazy("加入方式"), choices=Circle.JoinPolicy.choices)
    visibility = forms.ChoiceField(label=gettext_lazy("可见范围"), choices=Circle.Visibility.choices)
    allow_product_cards = forms.BooleanField(label=gettext_lazy("允许分享商品卡片"), required=False,
                                             initial=True)
    allow_promotions = forms.BooleanField(label=gettext_lazy("允许品牌/商家推广帖"), required=False)


class PostForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("说点什么"), max_length=services.POST_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    product = forms.IntegerField(label=gettext_lazy("商品编号（可选）"), required=False, min_value=1,
                                 max_value=MAX_ID)


def _page_number(request: HttpRequest) -> int | None:
    raw = request.GET.get("page", "1") or "1"
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_PAGE else None


def _circle(slug: str) -> Circle:
    circle = Circle.objects.filter(slug=slug[:60]).first()
    if circle is None:
        raise Http404(_("圈子不存在"))
    return circle


@require_GET
def circle_list(request: HttpRequest) -> HttpResponse:
    number = _page_number(request)
    if number is None:
        return bad_request(request, _("页码：请填写 1 到 %(max)s 之间的整数") % {"max": MAX_PAGE})
    qs = selectors.with_counts(selectors.visible_circles(request.user)).order_by("-created_at", "-id")
    paginator = Paginator(qs, PER_PAGE)
    try:
        page = paginator.page(number)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return render(request, "web/circles.html", {
        "circles": page.object_list,
        "pager": pager(request, page.number, paginator.num_pages, paginator.count),
    })


@login_required
@require_http_methods(["GET", "POST"])
def circle_new(request: HttpRequest) -> HttpResponse:
    form = CircleForm(request.POST or None, initial={"allow_product_cards": True})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                circle = services.create_circle(request.user, **form.cleaned_data)
            except DomainError as exc:
                for field, message in exc.fields.items():
                    form.add_error(field if field in form.fields else None, message)
                if not exc.fields:
                    form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("圈子已创建"))
                return redirect("web:circle", slug=circle.slug)
        else:
            status = 422
    return render(request, "web/circle_new.html", {"form": form}, status=status)


def _detail(request: HttpRequest, circle: Circle, *, post_form: PostForm | None = None, status: int = 200,
            error: str = "") -> HttpResponse:
    mine = selectors.membership_of(request.user, circle)
    visible = selectors.can_view(request.user, circle, mine)
    context = {"circle": circle, "mine": mine, "can_view": visible, "error": error,
               "is_moderator": selectors.is_moderator(mine),
               "post_form": post_form or PostForm()}
    if visible:
        number = _page_number(request) or 1
        paginator = Paginator(selectors.circle_posts(circle), PER_PAGE)
        try:
            page = paginator.page(number)
        except EmptyPage:
            page = paginator.page(paginator.num_pages)
        context["posts"] = page.object_list
        context["pager"] = pager(request, page.number, paginator.num_pages, paginator.count)
        context["counts"] = selectors.with_counts(Circle.objects.filter(pk=circle.pk)).values(
            "member_count", "post_count").get()
    return render(request, "web/circle.html", context, status=status)


@require_GET
def circle_detail(request: HttpRequest, slug: str) -> HttpResponse:
    circle = _circle(slug)
    note_share_open(request, "circle", circle)
    return _detail(request, circle)


def _act(request: HttpRequest, circle: Circle, action, success: str) -> HttpResponse:
    try:
        action()
    except DomainError as exc:
        return _detail(request, circle, status=exc.status, error=exc.message)
    messages.success(request, success)
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/circles/")
                    else f"/circles/{circle.slug}/")


@login_required
@require_POST
def circle_join(request: HttpRequest, slug: str) -> HttpResponse:
    circle = _circle(slug)
    return _act(request, circle, lambda: services.join_circle(request.user, circle, request=request),
                _("已提交"))


@login_required
@require_POST
def circle_leave(request: HttpRequest, slug: str) -> HttpResponse:
    circle = _circle(slug)
    return _act(request, circle, lambda: services.leave_circle(request.user, circle), _("已退出"))


@login_required
@require_POST
def circle_post(request: HttpRequest, slug: str) -> HttpResponse:
    circle = _circle(slug)
    form = PostForm(request.POST)
    if not form.is_valid():
        return _detail(request, circle, post_form=form, status=422, error=_("请检查填写的内容"))
    try:
        services.create_post(request.user, circle, text=form.cleaned_data["text"],
                             product_id=form.cleaned_data["product"], request=request)
    except DomainError as exc:
        return _detail(request, circle, post_form=form, status=exc.status, error=exc.message)
    messages.success(request, _("已发布"))
    return redirect("web:circle", slug=circle.slug)


@login_required
@require_POST
def circle_post_remove(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    circle = _circle(slug)
    post = Post.objects.filter(circle=circle, removed=False, pk=min(post_id, MAX_ID)).select_related("circle").first()
    if post is None:
        raise Http404(_("帖子不存在"))
    return _act(request, circle, lambda: services.remove_post(request.user, post), _("已删除"))


@require_GET
def circle_members(request: HttpRequest, slug: str) -> HttpResponse:
    circle = _circle(slug)
    if not selectors.can_view(request.user, circle):
        raise Http404(_("圈子不存在"))
    members = list(selectors.circle_members(circle)[:200])
    return render(request, "web/circle_members.html", {"circle": circle, "members": members})


@login_required
@require_GET
def circle_manage(request: HttpRequest, slug: str) -> HttpResponse:
    circle = _circle(slug)
    mine = selectors.membership_of(request.user, circle)
    if not selectors.is_moderator(mine):
        return render(request, "403.html", {"circle": circle},
                      status=403)
    return render(request, "web/circle_manage.html", {
        "circle": circle, "requests": list(selectors.pending_requests(circle)[:200]),
    })


@login_required
@require_POST
def circle_decide(request: HttpRequest, slug: str, user_id: int, action: str) -> HttpResponse:
    circle = _circle(slug)
    if action not in {"approve", "reject"}:
        raise Http404(_("没有这个操作"))
    user_id = min(user_id, MAX_ID)
    return _act(request, circle,
                lambda: services.decide_request(request.user, circle, user_id, approve=action == "approve",
                                                request=request),
                _("已处理"))
