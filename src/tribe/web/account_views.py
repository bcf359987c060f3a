"""Login, registration, logout and the profile page. The account services decide; these pages show."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as start_session
from django.contrib.auth import logout as end_session
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tribe.accounts import services as accounts
from tribe.core.errors import DomainError, NotAuthenticated
from tribe.core.events import record_event

from .cart_views import merge_at_login
from .forms import LoginForm, ProfileForm, RegisterForm, apply_service_errors


def _next_url(request: HttpRequest) -> str:
    """`next` from the form or query, only if it stays on this site; otherwise the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("web:home")


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.login_user(form.cleaned_data["username"], form.cleaned_data["password"], request)
        except NotAuthenticated:
            form.add_error(None, _("用户名或密码错误"))
        else:
            anonymous_key = request.session.session_key  # login() rotates it; the session cart is keyed on it
            start_session(request, user)
            merge_at_login(request, anonymous_key, user)
            return redirect(_next_url(request))
    status = 400 if request.method == "POST" else 200
    return render(request, "web/login.html", {"form": form, "next": _next_url(request)}, status=status)


@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = accounts.register_user(data["username"], data["password"], nickname=data["nickname"],
                                          city=data["city"], request=request)
        except DomainError as error:
            apply_service_errors(form, error)
        else:
            anonymous_key = request.session.session_key
            start_session(request, user, backend="django.contrib.auth.backends.ModelBackend")
            merge_at_login(request, anonymous_key, user)
            messages.success(request, _("注册成功，欢迎加入部落！"))
            return redirect(_next_url(request))
    status = 400 if request.method == "POST" else 200
    return render(request, "web/register.html", {"form": form, "next": _next_url(request)}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_event("logout", request, obj=request.user)
    end_session(request)
    return redirect("web:home")


@login_required
@require_http_methods(["GET", "POST"])
def profile_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method != "POST":
        form = ProfileForm(initial=ProfileForm.initial_for(user))
        return render(request, "web/profile.html", {"form": form})
    form = ProfileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data.get("avatar")
        try:
            # Profile and avatar are one change: a bad image must not leave the text fields half-saved.
            with transaction.atomic():
                accounts.update_profile(user, form.changes())
                if upload:
                    accounts.set_avatar(user, upload)
        except DomainError as error:
            user.refresh_from_db()
            apply_service_errors(form, error)
        else:
            messages.success(request, _("资料已保存"))
            return redirect("web:profile")
    return render(request, "web/profile.html", {"form": form}, status=400)
