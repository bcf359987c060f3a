"""Album (专辑, 品牌街) and guide (场景化导购) pages.

Private albums and draft guides are 404 for anyone who may not edit them. Every write calls one service in
tribe.curation.services; a refused write re-renders the page with the reason and the service's 4xx status.
Station and profile pages pull a brand's / a user's albums in lazily (HTMX, `hx-trigger="revealed"`), so
those hot pages keep their query counts.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tribe.brands.models import Brand
from tribe.brands.selectors import managed_brand_ids
from tribe.core.errors import DomainError
from tribe.curation import selectors, services
from tribe.curation.models import (
    MAX_DESCRIPTION,
    MAX_INTRO,
    MAX_NOTE,
    MAX_STEP_PRODUCTS,
    MAX_STEP_TEXT,
    MAX_TITLE,
    Album,
    Guide,
)
from tribe.sharing.services import note_share_open

from .listing import bad_request, is_htmx_partial, pager

PER_PAGE = 20
BRAND_STREET = 12
SECTION_ALBUMS = 6
MAX_PAGE = 500
MAX_ID = 2**63 - 1


def parse_product_ref(raw: str) -> int | None:
    """A product id, or a product link (…/p/123/…) pasted from the address bar."""
    raw = (raw or "").strip()
    if raw.isdigit():
        value = int(raw)
    else:
        match = re.search(r"/p/(\d+)", raw)
        value = int(match.group(1)) if match else 0
    return value if 1 <= value <= MAX_ID else None


def _brand_choices(user) -> list[tuple[str, str]]:
    managed = managed_brand_ids(user)
    qs = Brand.objects.filter(is_active=True).order_by("name")
    if managed is not None:
        qs = qs.filter(pk__in=managed)
    return [("", _("个人（不代表品牌）"))] + [(str(b.pk), b.name) for b in qs[:200]]


def _page_number(request: HttpRequest) -> int | None:
    raw = request.GET.get("page", "1") or "1"
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_PAGE else None


def _paged(request: HttpRequest, qs, number: int):
    paginator = Paginator(qs, PER_PAGE)
    try:
        page = paginator.page(number)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return page, pager(request, page.number, paginator.num_pages, paginator.count)


def _form_errors(form: forms.Form, exc: DomainError) -> None:
    if any(field in form.fields for field in exc.fields):
        for field, message in exc.fields.items():
            form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, exc.message)


# ---- forms -----------------------------------------------------------------------------------------------


class AlbumForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=MAX_TITLE)
    description = forms.CharField(label=gettext_lazy("简介"), max_length=MAX_DESCRIPTION, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    is_public = forms.BooleanField(label=gettext_lazy("公开（所有人可见）"), required=False, initial=True)
    brand = forms.ChoiceField(label=gettext_lazy("发布身份"), required=False)

    def __init__(self, *args, user=None, with_brand: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _brand_choices(user) if with_brand else []
        if len(choices) > 1:
            self.fields["brand"].choices = choices
        else:
            del self.fields["brand"]

    def brand_id(self) -> int | None:
        raw = self.cleaned_data.get("brand") or ""
        return int(raw) if raw.isdigit() else None


class ItemForm(forms.Form):
    product = forms.CharField(label=gettext_lazy("商品编号或商品链接"), max_length=300)
    note = forms.CharField(label=gettext_lazy("推荐语（可选）"), max_length=MAX_NOTE, required=False)

    def clean_product(self) -> int:
        value = parse_product_ref(self.cleaned_data["product"])
        if value is None:
            raise forms.ValidationError(_("请填写商品编号或商品页链接"))
        return value


class NoteForm(forms.Form):
    note = forms.CharField(max_length=MAX_NOTE, required=False)


class GuideForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=MAX_TITLE)
    scenario = forms.CharField(label=gettext_lazy("场景（例如：新生儿出院回家）"), max_length=MAX_TITLE)
    intro = forms.CharField(label=gettext_lazy("导语"), max_length=MAX_INTRO, required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))
    published = forms.BooleanField(label=gettext_lazy("发布（所有人可见）"), required=False, initial=True)
    brand = forms.ChoiceField(label=gettext_lazy("发布身份"), required=False)
    cover = forms.FileField(label=gettext_lazy("封面图（可选）"), required=False)

    def __init__(self, *args, user=None, with_brand: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _brand_choices(user) if with_brand else []
        if len(choices) > 1:
            self.fields["brand"].choices = choices
        else:
            del self.fields["brand"]

    def brand_id(self) -> int | None:
        raw = self.cleaned_data.get("brand") or ""
        return int(raw) if raw.isdigit() else None


class StepForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("步骤标题"), max_length=MAX_TITLE)
    text = forms.CharField(label=gettext_lazy("说明"), max_length=MAX_STEP_TEXT, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    products = forms.CharField(
        label=gettext_lazy("商品（每行一个：商品编号或链接，空格后可写推荐语）"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}))

    def clean_products(self) -> list[dict]:
        entries = []
        lines = [line.strip() for line in self.cleaned_data["products"].splitlines() if line.strip()]
        if len(lines) > MAX_STEP_PRODUCTS:
            raise forms.ValidationError(_("每个步骤最多 %(n)s 件商品") % {"n": MAX_STEP_PRODUCTS})
        for line in lines:
            ref, _sep, note = line.partition(" ")
            product_id = parse_product_ref(ref)
            if product_id is None:
                raise forms.ValidationError(_("看不懂这一行：%(line)s") % {"line": line[:40]})
            entries.append({"product": product_id, "note": note.strip()[:MAX_NOTE]})
        return entries


# ---- albums ----------------------------------------------------------------------------------------------


@require_GET
def album_list(request: HttpRequest) -> HttpResponse:
    number = _page_number(request)
    if number is None:
        return bad_request(request, _("页码：请填写 1 到 %(max)s 之间的整数") % {"max": MAX_PAGE})
    page, page_links = _paged(request, selectors.popular_albums(), number)
    return render(request, "web/albums/list.html", {
        "brand_albums": list(selectors.brand_albums()[:BRAND_STREET]) if page.number == 1 else [],
        "albums": page.object_list,
        "pager": page_links,
    })


@login_required
@require_GET
def my_albums(request: HttpRequest) -> HttpResponse:
    return render(request, "web/albums/mine.html", {
        "albums": list(selectors.my_albums(request.user)[:200]),
        "guides": list(selectors.my_guides(request.user)[:200]),
    })


def _section(request: HttpRequest, albums, *, title: str, more_url: str, testid: str) -> HttpResponse:
    template = "web/albums/_section.html" if is_htmx_partial(request) else "web/albums/section_page.html"
    return render(request, template, {"albums": albums, "title": title, "more_url": more_url, "testid": testid})


@require_GET
def user_albums(request: HttpRequest, username: str) -> HttpResponse:
    owner = get_user_model().objects.filter(username=username[:150], is_active=True).first()
    if owner is None:
        raise Http404(_("用户不存在"))
    albums = list(selectors.user_albums(request.user, owner)[:100])
    return _section(request, albums, title=_("%(name)s 的专辑") % {"name": owner.display_name},
                    more_url=request.path, testid="user-albums")


@require_GET
def brand_albums(request: HttpRequest, slug: str) -> HttpResponse:
    brand = Brand.objects.filter(slug=slug[:60], is_active=True).first()
    if brand is None:
        raise Http404(_("品牌不存在"))
    albums = list(selectors.brand_albums(brand.pk)[:100])
    return _section(request, albums, title=_("%(name)s · 品牌街专辑") % {"name": brand.name},
                    more_url=request.path, testid="brand-albums")


@login_required
@require_http_methods(["GET", "POST"])
def album_new(request: HttpRequest) -> HttpResponse:
    form = AlbumForm(request.POST or None, user=request.user, initial={"is_public": True})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                album = services.create_album(
                    request.user, title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"], is_public=form.cleaned_data["is_public"],
                    brand_id=form.brand_id(), request=request)
            except DomainError as exc:
                _form_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("专辑已创建，去添加商品吧"))
                return redirect("web:album", pk=album.pk)
        else:
            status = 422
    return render(request, "web/albums/form.html", {"form": form, "album": None}, status=status)


def _album_or_404(request: HttpRequest, pk: int) -> Album:
    album = selectors.find_album(request.user, min(pk, MAX_ID))
    if album is None:
        raise Http404(_("专辑不存在"))
    return album


def _album_page(request: HttpRequest, pk: int, *, status: int = 200, error: str = "",
                item_form: ItemForm | None = None) -> HttpResponse:
    album = selectors.album_for_page(request.user, min(pk, MAX_ID))
    if album is None:
        raise Http404(_("专辑不存在"))
    editable = selectors.can_edit_album(request.user, album)
    return render(request, "web/albums/detail.html", {
        "album": album,
        "items": album.shown_items,
        "hidden": selectors.hidden_items(album) if editable else [],
        "editable": editable,
        "item_form": item_form or ItemForm(),
        "error": error,
    }, status=status)


@require_GET
def album(request: HttpRequest, pk: int) -> HttpResponse:
    response = _album_page(request, pk)
    album = selectors.album_for_page(request.user, min(pk, MAX_ID)) if request.GET.get("share") else None
    if album is not None and album.is_public:
        note_share_open(request, "album", album)  # a 达人's look shared: the visitor is bound to them
    return response


@login_required
@require_http_methods(["GET", "POST"])
def album_edit(request: HttpRequest, pk: int) -> HttpResponse:
    album = _album_or_404(request, pk)
    if not selectors.can_edit_album(request.user, album):
        return render(request, "403.html", status=403)
    initial = {"title": album.title, "description": album.description, "is_public": album.is_public}
    form = AlbumForm(request.POST or None, initial=initial, with_brand=False)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_album(request.user, album, title=form.cleaned_data["title"],
                                      description=form.cleaned_data["description"],
                                      is_public=form.cleaned_data["is_public"])
            except DomainError as exc:
                _form_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("已保存"))
                return redirect("web:album", pk=album.pk)
        else:
            status = 422
    return render(request, "web/albums/form.html", {"form": form, "album": album}, status=status)


def _album_act(request: HttpRequest, pk: int, action, success: str, *, item_form=None) -> HttpResponse:
    album = _album_or_404(request, pk)
    try:
        action(album)
    except DomainError as exc:
        return _album_page(request, pk, status=exc.status, error=exc.message, item_form=item_form)
    messages.success(request, success)
    return redirect("web:album", pk=album.pk)


@login_required
@require_POST
def album_delete(request: HttpRequest, pk: int) -> HttpResponse:
    album = _album_or_404(request, pk)
    try:
        services.delete_album(request.user, album)
    except DomainError as exc:
        return _album_page(request, pk, status=exc.status, error=exc.message)
    messages.success(request, _("专辑已删除"))
    return redirect("web:my_albums")


@login_required
@require_POST
def album_add_item(request: HttpRequest, pk: int) -> HttpResponse:
    form = ItemForm(request.POST)
    if not form.is_valid():
        _album_or_404(request, pk)
        return _album_page(request, pk, status=422, error=_("请检查填写的内容"), item_form=form)
    return _album_act(request, pk, lambda album: services.add_item(
        request.user, album, product_id=form.cleaned_data["product"], note=form.cleaned_data["note"]),
        _("已加入专辑"), item_form=form)


@login_required
@require_POST
def album_item_note(request: HttpRequest, pk: int, product_id: int) -> HttpResponse:
    form = NoteForm(request.POST)
    if not form.is_valid():
        _album_or_404(request, pk)
        return _album_page(request, pk, status=422, error=_("推荐语最多 %(n)s 字") % {"n": MAX_NOTE})
    return _album_act(request, pk, lambda album: services.update_item(
        request.user, album, min(product_id, MAX_ID), note=form.cleaned_data["note"]), _("已保存"))


@login_required
@require_POST
def album_remove_item(request: HttpRequest, pk: int, product_id: int) -> HttpResponse:
    return _album_act(request, pk, lambda album: services.remove_item(request.user, album, min(product_id, MAX_ID)),
                      _("已移出专辑"))


@login_required
@require_POST
def album_move_item(request: HttpRequest, pk: int, product_id: int) -> HttpResponse:
    up = request.POST.get("direction") != "down"
    return _album_act(request, pk, lambda album: services.move_item(
        request.user, album, min(product_id, MAX_ID), up=up), _("已调整顺序"))


# ---- guides ----------------------------------------------------------------------------------------------


@require_GET
def guide_list(request: HttpRequest) -> HttpResponse:
    number = _page_number(request)
    if number is None:
        return bad_request(request, _("页码：请填写 1 到 %(max)s 之间的整数") % {"max": MAX_PAGE})
    page, page_links = _paged(request, selectors.published_guides(), number)
    return render(request, "web/guides/list.html", {"guides": page.object_list, "pager": page_links})


def _guide_or_404(request: HttpRequest, pk: int) -> Guide:
    guide = selectors.find_guide(request.user, min(pk, MAX_ID))
    if guide is None:
        raise Http404(_("导购不存在"))
    return guide


@require_GET
def guide(request: HttpRequest, pk: int) -> HttpResponse:
    guide = selectors.guide_for_page(request.user, min(pk, MAX_ID))
    if guide is None:
        raise Http404(_("导购不存在"))
    if guide.published:
        services.record_guide_view(request, guide)
        note_share_open(request, "guide", guide)
    return render(request, "web/guides/detail.html", {
        "guide": guide,
        "steps": guide.ordered_steps,
        "editable": selectors.can_edit_guide(request.user, guide),
    })


@login_required
@require_http_methods(["GET", "POST"])
def guide_new(request: HttpRequest) -> HttpResponse:
    form = GuideForm(request.POST or None, request.FILES or None, user=request.user,
                     initial={"published": True})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                guide = services.create_guide(
                    request.user, title=data["title"], scenario=data["scenario"], intro=data["intro"],
                    published=data["published"], brand_id=form.brand_id(), cover=data.get("cover"))
            except DomainError as exc:
                _form_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("导购已创建，接着添加步骤和商品"))
                return redirect("web:guide_edit", pk=guide.pk)
        else:
            status = 422
    return render(request, "web/guides/form.html", {"form": form, "guide": None}, status=status)


def _guide_edit_page(request: HttpRequest, guide: Guide, *, form=None, step_form=None, status: int = 200,
                     error: str = "") -> HttpResponse:
    if form is None:
        form = GuideForm(initial={"title": guide.title, "scenario": guide.scenario, "intro": guide.intro,
                                  "published": guide.published}, with_brand=False)
    steps = guide.steps.order_by("position", "id").prefetch_related("products__product")
    return render(request, "web/guides/form.html", {
        "form": form, "guide": guide, "steps": steps, "step_form": step_form or StepForm(), "error": error,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def guide_edit(request: HttpRequest, pk: int) -> HttpResponse:
    guide = _guide_or_404(request, pk)
    if not selectors.can_edit_guide(request.user, guide):
        return render(request, "403.html", status=403)
    if request.method == "GET":
        return _guide_edit_page(request, guide)
    form = GuideForm(request.POST, request.FILES, with_brand=False)
    if not form.is_valid():
        return _guide_edit_page(request, guide, form=form, status=422)
    data = form.cleaned_data
    try:
        services.update_guide(request.user, guide, title=data["title"], scenario=data["scenario"],
                              intro=data["intro"], published=data["published"])
        if data.get("cover"):
            services.set_guide_cover(request.user, guide, data["cover"])
    except DomainError as exc:
        _form_errors(form, exc)
        return _guide_edit_page(request, guide, form=form, status=exc.status)
    messages.success(request, _("已保存"))
    return redirect("web:guide_edit", pk=guide.pk)


@login_required
@require_POST
def guide_add_step(request: HttpRequest, pk: int) -> HttpResponse:
    guide = _guide_or_404(request, pk)
    step_form = StepForm(request.POST)
    if not step_form.is_valid():
        return _guide_edit_page(request, guide, step_form=step_form, status=422, error=_("请检查步骤内容"))
    data = step_form.cleaned_data
    try:
        services.add_step(request.user, guide, title=data["title"], text=data["text"], products=data["products"])
    except DomainError as exc:
        return _guide_edit_page(request, guide, step_form=step_form, status=exc.status, error=exc.message)
    messages.success(request, _("步骤已添加"))
    return redirect("web:guide_edit", pk=guide.pk)


@login_required
@require_POST
def guide_remove_step(request: HttpRequest, pk: int, step_id: int) -> HttpResponse:
    guide = _guide_or_404(request, pk)
    try:
        services.remove_step(request.user, guide, min(step_id, MAX_ID))
    except DomainError as exc:
        return _guide_edit_page(request, guide, status=exc.status, error=exc.message)
    messages.success(request, _("步骤已删除"))
    return redirect("web:guide_edit", pk=guide.pk)


@login_required
@require_POST
def guide_delete(request: HttpRequest, pk: int) -> HttpResponse:
    guide = _guide_or_404(request, pk)
    try:
        services.delete_guide(request.user, guide)
    except DomainError as exc:
        return _guide_edit_page(request, guide, status=exc.status, error=exc.message)
    messages.success(request, _("导购已删除"))
    return redirect("web:guides")
