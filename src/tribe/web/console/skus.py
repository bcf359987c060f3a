"""SKUs: add one to a product, and edit price / stock / on-sale inline (htmx swaps the table row)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from tribe.brands.models import Brand
from tribe.catalog import services
from tribe.catalog.models import Sku
from tribe.core.errors import DomainError
from tribe.web.console_forms import SkuAddForm, SkuForm

from .base import brand_view, is_htmx, render_console, show_error, submit
from .products import brand_products, get_product, product_page


def _get_sku(brand: Brand, sku_id: int) -> Sku:
    qs = Sku.objects.select_related("product__store").filter(product__in=brand_products(brand).values("id"))
    return get_object_or_404(qs, pk=sku_id)


@brand_view
@require_POST
def sku_add(request, brand: Brand, product_id: int):
    product = get_product(brand, product_id)
    form = SkuAddForm(request.POST, product=product)
    return submit(
        request,
        form,
        lambda d: services.add_sku(
            request.user, product, options=form.options, price=d["price"], stock=d["stock"], code=d["code"]
        ),
        success_url=reverse("console:product", args=[brand.slug, product.pk]),
        message=_("SKU 已添加"),
        failure=lambda status: product_page(request, brand, product, status=status, sku_form=form),
    )


def _edit_form_for(sku: Sku) -> SkuForm:
    return SkuForm(
        initial={"price": sku.price, "stock": sku.stock, "is_active": sku.is_active},
        auto_id=f"id_sku{sku.pk}_%s",
    )


def _render_edit(request, brand: Brand, sku: Sku, form: SkuForm, status: int = 200):
    template = "console/_sku_row_edit.html" if is_htmx(request) else "console/sku_edit.html"
    return render_console(
        request, template, brand, {"sku": sku, "product": sku.product, "form": form}, status=status
    )


@brand_view
def sku_edit(request, brand: Brand, sku_id: int):
    """GET: the edit row (htmx) or a small page (no script). POST: update_sku, then the display row (htmx)
    or back to the product; on error the edit row/page again with the message, status 4xx."""
    sku = _get_sku(brand, sku_id)
    if request.method != "POST":
        return _render_edit(request, brand, sku, _edit_form_for(sku))
    form = SkuForm(request.POST, auto_id=f"id_sku{sku.pk}_%s")
    if not is_htmx(request):
        return submit(
            request,
            form,
            lambda d: services.update_sku(
                request.user, sku, price=d["price"], stock=d["stock"], is_active=d["is_active"]
            ),
            success_url=reverse("console:product", args=[brand.slug, sku.product_id]),
            message=_("SKU 已保存"),
            failure=lambda status: _render_edit(request, brand, sku, form, status),
        )
    if not form.is_valid():
        return _render_edit(request, brand, sku, form, 422)
    try:
        d = form.cleaned_data
        services.update_sku(request.user, sku, price=d["price"], stock=d["stock"], is_active=d["is_active"])
    except DomainError as error:
        show_error(form, error)
        return _render_edit(request, brand, sku, form, error.status)
    return render_console(
        request, "console/_sku_row.html", brand, {"sku": sku, "product": sku.product, "saved": True}
    )


@brand_view
@require_GET
def sku_row(request, brand: Brand, sku_id: int):
    """The display row, for "cancel" in the inline editor."""
    sku = _get_sku(brand, sku_id)
    return render_console(request, "console/_sku_row.html", brand, {"sku": sku, "product": sku.product})
