"""What every console view shares: the brand gate, error display and small response helpers."""

from __future__ import annotations

import re
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from tribe.brands.models import Brand
from tribe.brands.selectors import can_manage_brand
from tribe.core.errors import DomainError

# Chinese wording for the stable error codes and field details the services raise. Anything not listed
# falls back to the service's own message, so a new error is never hidden.
CODE_MESSAGES = {
    "content_station_has_no_store": _("内容站没有自己的店铺，请通过“植入商品”展示其他店铺的商品。"),
    "no_sku": _("上架的商品至少需要一个在售的 SKU。"),
    "too_many_images": _("每个商品最多 9 张图片。"),
    "sku_exists": _("已存在相同规格的 SKU。"),
    "sku_code_taken": _("SKU 编码已被占用。"),
    "slug_taken": _("该网址标识已被占用。"),
    "image_too_large": _("图片过大。"),
    "invalid_image": _("上传的文件不是有效的图片。"),
    "not_content_station": _("只有内容站可以植入商品。"),
    "forbidden": _("你没有管理该品牌的权限。"),
}
DETAIL_MESSAGES = {
    "required": _("此项必填"),
    "at most 2 decimals": _("最多两位小数"),
    "must be positive": _("不能为负数"),
    "not a valid amount": _("请输入有效金额"),
    "too large": _("超出上限"),
    "out of range": _("请输入 0 到 1000000 之间的整数"),
    "not an image": _("不是有效的图片文件"),
    "unsupported format": _("仅支持 JPEG、PNG、WebP、GIF 图片"),
    "too many pixels": _("图片像素过多"),
    "empty file": _("文件为空"),
    "taken": _("已被占用"),
    "invalid slug": _("2–60 位小写字母、数字或 -"),
    "must start with http:// or https://": _("须以 http:// 或 https:// 开头"),
    "must be text": _("须为文本"),
    "invalid character": _("包含非法字符"),
    "duplicates": _("名称重复"),
}
MAX_RE = re.compile(r"^max (\d+)$")


def describe_detail(detail) -> str:
    detail = str(detail)
    if detail in DETAIL_MESSAGES:
        return str(DETAIL_MESSAGES[detail])
    match = MAX_RE.match(detail)
    if match:
        return str(_("最多 %(n)s 个字符") % {"n": match.group(1)})
    return detail


def show_error(form, error: DomainError) -> None:
    """Put a service's DomainError on the form: each named field on its input, the rest on top."""
    form.domain_error = error
    for field, detail in error.fields.items():
        target = form.field_for(field)
        text = describe_detail(detail)
        if target is None:
            form.add_error(None, f"{field}: {text}")
        else:
            form.add_error(target, text)
    summary = CODE_MESSAGES.get(error.code)
    if summary is None:
        summary = _("请修正标出的内容。") if error.fields else error.message
    form.add_error(None, str(summary))


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def forbidden(request: HttpRequest, message=None) -> HttpResponse:
    context = {"message": message or _("你没有管理该品牌的权限。")}
    return render(request, "console/forbidden.html", context, status=403)


def login_redirect(request: HttpRequest) -> HttpResponse:
    """To the login page and back. An htmx request (say, a session that expired mid-edit) gets 401 with
    HX-Redirect, so the whole page goes to login instead of the login form landing inside a table row."""
    response = redirect_to_login(request.get_full_path())
    if is_htmx(request):
        target = response.url
        response = HttpResponse(status=401)
        response["HX-Redirect"] = target
    return response


def brand_view(view):
    """Resolve `brand_slug` to a Brand the signed-in user manages, then call `view(request, brand, ...)`.

    Anonymous users go to the login page; staff of another brand get 403. Objects looked up inside the
    view are then scoped to this brand (404 otherwise), so a URL can't reach another brand's rows.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, brand_slug: str, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_redirect(request)
        brand = get_object_or_404(Brand.objects.select_related("parent"), slug=brand_slug)
        if not can_manage_brand(request.user, brand.id):
            return forbidden(request)
        return view(request, brand, *args, **kwargs)

    return wrapper


def product_scope(brand: Brand) -> Q:
    """Products a brand's console shows: sold by its stores, or carrying its name in another's store."""
    return Q(store__brand=brand) | Q(brand=brand)


NAV_SECTIONS = (
    ("dashboard", "dashboard"),
    ("station", "station"),
    ("news", "station"),
    ("video", "station"),
    ("media", "station"),
    ("store", "stores"),
    ("product", "products"),
    ("sku", "products"),
    ("image", "products"),
    ("placement", "placements"),
    ("campaigns", "campaigns"),
    ("analytics", "analytics"),
    ("loyalty", "campaigns"),
    ("coupon", "campaigns"),
    ("groupbuy", "campaigns"),
    ("group", "campaigns"),
    ("bargain", "campaigns"),
    ("flash", "campaigns"),
    ("lottery", "campaigns"),
    ("trial", "campaigns"),
    ("presale", "campaigns"),
    ("reach", "reach"),
)


def render_console(request, template: str, brand: Brand | None, context: dict, status: int = 200):
    """Render a console template; `nav` (the highlighted tab) follows from the URL name."""
    url_name = getattr(request.resolver_match, "url_name", None) or ""
    nav = next((section for prefix, section in NAV_SECTIONS if url_name.startswith(prefix)), "")
    return render(request, template, {"brand": brand, "nav": nav, **context}, status=status)


def submit(request, form, call, *, success_url, message, failure):
    """The one shape of every console write: a valid form → `call(cleaned_data)` (one service) → redirect
    with a message; an invalid form (422) or a DomainError (its status) → `failure(status)` re-renders the
    page with the errors on the form. The service runs in its own transaction, so a failure stores nothing.
    `success_url` may be a callable taking what the service returned (e.g. the new product).
    """
    if not form.is_valid():
        return failure(422)
    try:
        result = call(form.cleaned_data)
    except DomainError as error:
        show_error(form, error)
        return failure(error.status)
    messages.success(request, message)
    return redirect(success_url(result) if callable(success_url) else success_url)
