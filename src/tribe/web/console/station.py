"""Station content: name, tagline, story, logo and cover, news, video links and images."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tribe.brands import services
from tribe.brands.models import Brand, BrandMedia, BrandNews
from tribe.core.errors import DomainError
from tribe.web.console_forms import MediaImageForm, NewsForm, StationForm, StationImageForm, VideoForm

from .base import brand_view, forbidden, render_console, submit


def _page(request, brand: Brand, *, status: int = 200, **bound):
    """The station page with fresh forms, except the one just posted (bound, carrying its errors)."""
    forms = {
        "station_form": StationForm(
            initial={"name": brand.name, "tagline": brand.tagline, "story": brand.story}
        ),
        "image_form": StationImageForm(),
        "news_form": NewsForm(),
        "video_form": VideoForm(),
        "media_image_form": MediaImageForm(),
    }
    forms.update(bound)
    context = {**forms, "news": brand.news.all()[:50], "media": brand.media.all()}
    return render_console(request, "console/station.html", brand, context, status=status)


def _url(brand: Brand) -> str:
    return reverse("console:station", args=[brand.slug])


@brand_view
def station(request, brand: Brand):
    if request.method != "POST":
        return _page(request, brand)
    form = StationForm(request.POST)
    return submit(
        request,
        form,
        lambda d: services.update_station(request.user, brand, **d),
        success_url=_url(brand),
        message=_("品牌站信息已保存"),
        failure=lambda status: _page(request, brand, status=status, station_form=form),
    )


@brand_view
@require_POST
def station_image(request, brand: Brand):
    form = StationImageForm(request.POST, request.FILES)
    return submit(
        request,
        form,
        lambda d: services.set_station_image(request.user, brand, d["image"], which=d["which"]),
        success_url=_url(brand),
        message=_("图片已更新"),
        failure=lambda status: _page(request, brand, status=status, image_form=form),
    )


@brand_view
@require_POST
def news_add(request, brand: Brand):
    form = NewsForm(request.POST)
    return submit(
        request,
        form,
        lambda d: services.add_news(request.user, brand, title=d["title"], body=d["body"]),
        success_url=_url(brand),
        message=_("动态已发布"),
        failure=lambda status: _page(request, brand, status=status, news_form=form),
    )


@brand_view
@require_POST
def video_add(request, brand: Brand):
    form = VideoForm(request.POST)
    return submit(
        request,
        form,
        lambda d: services.add_video(request.user, brand, url=d["url"], caption=d["caption"]),
        success_url=_url(brand),
        message=_("视频链接已添加"),
        failure=lambda status: _page(request, brand, status=status, video_form=form),
    )


@brand_view
@require_POST
def media_image_add(request, brand: Brand):
    form = MediaImageForm(request.POST, request.FILES)
    return submit(
        request,
        form,
        lambda d: services.add_image(request.user, brand, d["image"], caption=d["caption"]),
        success_url=_url(brand),
        message=_("图片已添加"),
        failure=lambda status: _page(request, brand, status=status, media_image_form=form),
    )


def _delete(request, brand: Brand, call, message):
    try:
        call()
    except DomainError as error:
        return (
            forbidden(request, error.message)
            if error.status == 403
            else _page(request, brand, status=error.status)
        )
    messages.success(request, message)
    return redirect(_url(brand))


@brand_view
@require_POST
def news_delete(request, brand: Brand, news_id: int):
    news = get_object_or_404(BrandNews, pk=news_id, brand=brand)
    return _delete(request, brand, lambda: services.delete_news(request.user, news), _("动态已删除"))


@brand_view
@require_POST
def media_delete(request, brand: Brand, media_id: int):
    media = get_object_or_404(BrandMedia, pk=media_id, brand=brand)
    return _delete(request, brand, lambda: services.delete_media(request.user, media), _("素材已删除"))
