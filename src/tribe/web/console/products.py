"""Products of a brand: the filtered list, create, edit, publish toggle, images."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tribe.brands.models import Brand, Store
from tribe.catalog import services
from tribe.catalog.models import Product, ProductImage
from tribe.core.errors import DomainError
from tribe.web.console_forms import (
    ProductCreateForm,
    ProductEditForm,
    ProductFilterForm,
    ProductImageForm,
    PublishForm,
    SkuAddForm,
)

from .base import brand_view, forbidden, is_htmx, product_scope, render_console, show_error, submit

PAGE_SIZE = 30


def brand_products(brand: Brand):
    return Product.objects.filter(product_scope(brand))


def get_product(brand: Brand, product_id: int) -> Product:
    qs = brand_products(brand).select_related("store__brand", "brand", "category")
    return get_object_or_404(qs, pk=product_id)


@brand_view
def product_list(request, brand: Brand):
    """One page of products: a fixed number of queries (count, rows with store and category, images)."""
    stores = Store.objects.filter(brand=brand).order_by("id")
    filters = ProductFilterForm(request.GET or None, stores=stores)
    products = (
        brand_products(brand)
        .select_related("store", "category")
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")))
        .order_by("-created_at", "-id")
    )
    products = filters.apply(products)
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "query": query.urlencode()}
    return render_console(request, "console/products.html", brand, context)


def _create_page(request, brand: Brand, form, status: int = 200):
    return render_console(request, "console/product_new.html", brand, {"form": form}, status=status)


@brand_view
def product_create(request, brand: Brand):
    if request.method != "POST":
        return _create_page(request, brand, ProductCreateForm(brand=brand))
    form = ProductCreateForm(request.POST, brand=brand)
    return submit(
        request,
        form,
        lambda d: services.create_product(
            request.user,
            d["store"],
            name=d["name"],
            category=d["category"],
            brand=d.get("brand"),
            subtitle=d["subtitle"],
            description=d["description"],
            option_names=d["option_names"],
            skus=d["sku_specs"],
            published=d["published"],
        ),
        # land on the new product's page, to add images and more SKUs
        success_url=lambda product: _product_url(brand, product),
        message=_("商品已创建"),
        failure=lambda status: _create_page(request, brand, form, status),
    )


def product_page(request, brand: Brand, product: Product, *, status: int = 200, **bound):
    """The product editor: fields, publish toggle, SKU table, images. `bound` replaces a fresh form."""
    forms = {
        "form": ProductEditForm(
            initial={
                "name": product.name,
                "subtitle": product.subtitle,
                "description": product.description,
                "category": product.category_id,
            }
        ),
        "sku_form": SkuAddForm(product=product),
        "image_form": ProductImageForm(),
        "publish_error": None,
    }
    forms.update(bound)
    context = {
        "product": product,
        "skus": product.skus.all(),
        "images": product.images.order_by("position", "id"),
        **forms,
    }
    return render_console(request, "console/product_edit.html", brand, context, status=status)


def _product_url(brand: Brand, product: Product) -> str:
    return reverse("console:product", args=[brand.slug, product.pk])


@brand_view
def product_edit(request, brand: Brand, product_id: int):
    product = get_product(brand, product_id)
    if request.method != "POST":
        return product_page(request, brand, product)
    form = ProductEditForm(request.POST)
    return submit(
        request,
        form,
        lambda d: services.update_product(request.user, product, **d),
        success_url=_product_url(brand, product),
        message=_("商品已保存"),
        failure=lambda status: product_page(request, brand, product, status=status, form=form),
    )


@brand_view
@require_POST
def product_publish(request, brand: Brand, product_id: int):
    """Publish or unpublish. From htmx it answers with the toggle button alone (with any error inside)."""
    product = get_product(brand, product_id)
    form = PublishForm(request.POST)

    def fail(status: int):
        if is_htmx(request):
            return render_console(
                request,
                "console/_publish_toggle.html",
                brand,
                {"product": product, "publish_error": form},
                status=status,
            )
        return product_page(request, brand, product, status=status, publish_error=form)

    if not form.is_valid():
        return fail(422)
    wanted = form.cleaned_data["published"]
    try:
        services.set_published(request.user, product, wanted)
    except DomainError as error:  # the service validates before it changes the product
        show_error(form, error)
        return fail(error.status)
    if is_htmx(request):
        return render_console(request, "console/_publish_toggle.html", brand, {"product": product})
    messages.success(request, _("商品已上架") if wanted else _("商品已下架"))
    return redirect(_product_url(brand, product))


@brand_view
@require_POST
def image_add(request, brand: Brand, product_id: int):
    product = get_product(brand, product_id)
    form = ProductImageForm(request.POST, request.FILES)
    return submit(
        request,
        form,
        lambda d: services.add_product_image(request.user, product, d["image"], alt=d["alt"]),
        success_url=_product_url(brand, product),
        message=_("图片已上传"),
        failure=lambda status: product_page(request, brand, product, status=status, image_form=form),
    )


@brand_view
@require_POST
def image_delete(request, brand: Brand, product_id: int, image_id: int):
    product = get_product(brand, product_id)
    image = get_object_or_404(
        ProductImage.objects.select_related("product__store"), pk=image_id, product=product
    )
    try:
        services.delete_product_image(request.user, image)
    except DomainError as error:
        return forbidden(request, error.message)
    messages.success(request, _("图片已删除"))
    return redirect(_product_url(brand, product))
