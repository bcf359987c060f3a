"""口碑 pages: the product page's review section (and its HTMX "more"), helpful votes, the review form for a
bought order line. All writes go through tribe.content.services, the same functions the API calls."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tribe.catalog.models import Product
from tribe.content import selectors, services
from tribe.content.models import MAX_REVIEW_IMAGES, MAX_REVIEW_TEXT, MIN_REVIEW_TEXT, Review
from tribe.core.errors import DomainError

from .forms import MAX_PAGE
from .order_forms import MAX_ID, describe
from .order_views import my_order

REVIEWS_PER_PAGE = 5
STARS = [1, 2, 3, 4, 5]
MESSAGES = {
    "not_verified_buyer": gettext_lazy("只有已付款、未全额退款的订单商品可以评价"),
    "already_reviewed": gettext_lazy("这件商品已经评价过了"),
    "own_review": gettext_lazy("不能给自己的评价点“有用”"),
    "too_many_images": gettext_lazy("最多上传 9 张图片"),
    "invalid_image": gettext_lazy("图片无法识别，请上传 JPEG、PNG、WebP 或 GIF 图片"),
    "image_too_large": gettext_lazy("图片太大"),
}


def _describe(error: DomainError) -> str:
    return str(MESSAGES[error.code]) if error.code in MESSAGES else describe(error)


def _page(product_id: int, viewer, page: int) -> dict:
    """One page of reviews (one query + one image prefetch): fetch one extra row to know if there is more."""
    start = (page - 1) * REVIEWS_PER_PAGE
    rows = list(selectors.reviews_for(product_id, viewer)[start : start + REVIEWS_PER_PAGE + 1])
    return {"items": rows[:REVIEWS_PER_PAGE], "has_next": len(rows) > REVIEWS_PER_PAGE, "next_page": page + 1,
            "product_id": product_id, "stars": STARS}


def review_section(user, product: Product) -> dict:
    """Context for the product page: the computed summary, the latest reviews and, for a signed-in visitor,
    how many friends reviewed it. The list is skipped when the summary says there is none."""
    viewer = user if user is not None and user.is_authenticated else None
    summary = selectors.summary(product.pk)
    bars = [{"star": s, "n": summary["distribution"][s],
             "pct": round(100 * summary["distribution"][s] / summary["count"]) if summary["count"] else 0}
            for s in reversed(STARS)]
    section = {"summary": summary, "bars": bars, "product_id": product.pk, "stars": STARS,
               "friends": selectors.friend_reviewer_count(viewer, product) if viewer else 0}
    section.update(_page(product.pk, viewer, 1) if summary["count"] else {"items": [], "has_next": False})
    return section


@require_GET
def product_reviews(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX "more": the next page of review items."""
    try:
        page = int(request.GET.get("page", "2"))
    except ValueError:
        page = 0
    if not 1 <= page <= MAX_PAGE or not Product.objects.published().filter(pk=min(pk, MAX_ID)).exists():
        raise Http404(_("商品不存在"))
    return render(request, "web/_review_items.html", _page(pk, request.user, page))


@login_required
@require_POST
def review_helpful(request: HttpRequest, review_id: int) -> HttpResponse:
    """Toggle my helpful vote; answers the button (HTMX) or goes back to the product page."""
    try:
        if request.POST.get("undo"):
            review = services.unvote_helpful(request.user, min(review_id, MAX_ID))
        else:
            review = services.vote_helpful(request.user, min(review_id, MAX_ID))
    except DomainError as error:
        return HttpResponse(_describe(error), status=error.status)
    if request.headers.get("HX-Request"):
        item = selectors.reviews_for_ids([review.pk], request.user)[0]
        return render(request, "web/_review_helpful.html", {"r": item})
    return redirect("web:product", pk=review.product_id)


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("评分"), choices=[(s, "★" * s) for s in STARS], coerce=int, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择评分"), "invalid_choice": gettext_lazy("评分为 1 到 5 星")},
    )
    text = forms.CharField(
        label=gettext_lazy("评价内容"), min_length=MIN_REVIEW_TEXT, max_length=MAX_REVIEW_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": gettext_lazy("请写几句使用感受"),
                        "min_length": gettext_lazy("评价内容至少 5 个字"),
                        "max_length": gettext_lazy("评价内容最多 2000 字")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, number: str, line_id: int) -> HttpResponse:
    order = my_order(request, number)
    line = order.lines.filter(pk=line_id).first() if line_id <= MAX_ID else None
    if line is None:
        raise Http404(_("订单里没有这件商品"))
    reviewed = Review.objects.filter(order_line=line).exists()
    allowed = services.line_is_reviewable(line, order) and not reviewed
    status = 200
    error = ""
    if request.method == "POST":
        form = ReviewForm(request.POST)
        images = request.FILES.getlist("images")
        if form.is_valid():
            try:
                services.create_review(request.user, order.number, line.pk, rating=form.cleaned_data["rating"],
                                       text=form.cleaned_data["text"], images=images, request=request)
            except DomainError as e:
                error, status = _describe(e), e.status
            else:
                messages.success(request, _("评价已发布，谢谢你的分享"))
                return redirect("web:product", pk=line.product_id)
        else:
            status = 422
    else:
        form = ReviewForm()
    context = {"order": order, "line": line, "form": form, "allowed": allowed, "reviewed": reviewed,
               "error": error, "max_images": MAX_REVIEW_IMAGES}
    return render(request, "web/review_new.html", context, status=status)
