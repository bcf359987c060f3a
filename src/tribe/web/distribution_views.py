"""Pages: a brand's promoter program (/promote/<brand>/, terms and the join button) and the 达人 store page
(/daren/<username>/: the promoter's public albums and posts, follow button; its product links carry the
promoter's share code, so a purchase from it is attributed)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from tribe.brands.models import Brand
from tribe.core.errors import DomainError
from tribe.core.sharing import encode_sharer
from tribe.curation import selectors as curation
from tribe.distribution import selectors, services
from tribe.distribution.models import Promoter
from tribe.social import selectors as social

ERRORS = {
    "promoter_banned": _lazy("你已无法推广该品牌。"),
    "promoter_frozen": _lazy("你的推广资格已被冻结，请联系品牌。"),
    "invite_only": _lazy("该品牌的推广计划仅限邀请加入。"),
}


def _brand(slug: str) -> Brand:
    brand = Brand.objects.filter(slug=slug[:60], is_active=True).first()
    if brand is None:
        raise Http404(_("品牌不存在"))
    return brand


@require_http_methods(["GET", "POST"])
def promote(request: HttpRequest, brand_slug: str) -> HttpResponse:
    brand = _brand(brand_slug)
    error, status = "", 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            services.join(request.user, brand, request=request)
        except DomainError as exc:
            error, status = str(ERRORS.get(exc.code, exc.message)), exc.status
        else:
            return redirect(reverse("web:promote", args=[brand.slug]))
    mine = (Promoter.objects.filter(brand=brand, user=request.user).first()
            if request.user.is_authenticated else None)
    context = {"brand": brand, "program": services.program_of(brand), "mine": mine, "error": error,
               "rate_percent": services.program_of(brand).default_rate * 100}
    return render(request, "web/distribution/promote.html", context, status=status)


@require_GET
def daren(request: HttpRequest, username: str) -> HttpResponse:
    profile = social.public_user(username, request.user)
    if profile is None:
        raise Http404(_("用户不存在"))
    roles = [p for p in selectors.roles_of(profile).filter(brand__is_active=True) if p.state == Promoter.State.ACTIVE]
    if not roles:
        raise Http404(_("TA 还不是达人"))
    from tribe.posts import selectors as post_selectors

    albums = list(curation.user_albums(request.user, profile).filter(is_public=True)[:20])
    posts = list(post_selectors.with_display(post_selectors.visible_posts(request.user).filter(author_id=profile.pk))
                 .order_by("-created_at", "-id")[:12])
    context = {
        "profile": profile, "roles": roles, "albums": albums,
        "posts": post_selectors.decorate(posts, request.user),
        "is_self": request.user.is_authenticated and request.user.pk == profile.pk,
        # product links carry the 达人's share code: opening one records a click and binds the visitor
        "src": f"promoter&share={encode_sharer(profile.pk)}&ch=daren",
        "follow": {"action": reverse("web:user_follow", args=[profile.username]), "following": profile.i_follow,
                   "followers": profile.followers_count, "testid": "daren-follow"},
    }
    return render(request, "web/distribution/daren.html", context)


@login_required
def dashboard(request):
    """The promoter's dashboard (推广数据): per brand, clicks → visitors → orders, commission by state."""
    from tribe.distribution.dashboard import for_user

    return render(request, "web/distribution/dashboard.html", {"rows": for_user(request.user)})
