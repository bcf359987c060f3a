"""Follow buttons and the public user page (/u/<username>/). The social services decide; these pages show.

A follow button posts `action=follow|unfollow`; an HTMX request gets the button back (swapped in place),
a plain form post is redirected back to the page it came from.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tribe.brands.models import Brand
from tribe.core.errors import DomainError
from tribe.social import selectors, services

from .listing import is_htmx_partial


def _login_first(request: HttpRequest, back: str) -> HttpResponse:
    if is_htmx_partial(request):
        response = HttpResponse(status=401)
        response["HX-Redirect"] = f"{reverse('web:login')}?next={back}"
        return response
    return redirect_to_login(back)


def _button(request: HttpRequest, action: str, state: dict, testid: str, error: str = "",
            status: int = 200) -> HttpResponse:
    context = {"action": action, "testid": testid, "error": error, **state}
    return render(request, "web/_follow_button.html", context, status=status)


@require_POST
def brand_follow(request: HttpRequest, slug: str) -> HttpResponse:
    brand = get_object_or_404(Brand, slug=slug, is_active=True)
    back = reverse("web:brand", args=[brand.slug])
    if not request.user.is_authenticated:
        return _login_first(request, back)
    if request.POST.get("action") == "unfollow":
        services.unfollow_brand(request.user, brand)
    else:
        services.follow_brand(request.user, brand, request)
    if not is_htmx_partial(request):
        return redirect(back)
    state = selectors.follow_state(request.user, brand=brand)
    return _button(request, reverse("web:brand_follow", args=[brand.slug]), state, "brand-follow")


@require_POST
def user_follow(request: HttpRequest, username: str) -> HttpResponse:
    target = get_object_or_404(get_user_model(), username=username, is_active=True)
    back = reverse("web:user", args=[target.username])
    if not request.user.is_authenticated:
        return _login_first(request, back)
    error, status = "", 200
    try:
        if request.POST.get("action") == "unfollow":
            services.unfollow_user(request.user, target)
        else:
            services.follow_user(request.user, target, request)
    except DomainError as exc:
        error, status = exc.message, exc.status
    if not is_htmx_partial(request):
        return redirect(back) if not error else render(
            request, "400.html", {"message": error}, status=status)
    state = selectors.follow_state(request.user, user=target)
    return _button(request, reverse("web:user_follow", args=[target.username]), state, "user-follow",
                   error=error, status=status)


@require_GET
def user_page(request: HttpRequest, username: str) -> HttpResponse:
    """Public profile: nickname, city, avatar, counts and the follow button, in one query."""
    profile = selectors.public_user(username, request.user)
    if profile is None:
        raise Http404
    context = {
        "profile": profile,
        "is_self": request.user.is_authenticated and request.user.pk == profile.pk,
        "is_friend": bool(profile.i_follow and profile.follows_me),
        "follow": {
            "action": reverse("web:user_follow", args=[profile.username]),
            "following": profile.i_follow,
            "followers": profile.followers_count,
            "testid": "user-follow",
        },
    }
    from tribe.posts import selectors as post_selectors

    posts = list(post_selectors.with_display(post_selectors.visible_posts(request.user).filter(author_id=profile.pk))
                 .order_by("-created_at", "-id")[:20])
    context["posts"] = post_selectors.decorate(posts, request.user)
    return render(request, "web/user.html", context)
