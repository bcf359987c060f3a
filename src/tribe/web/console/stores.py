"""Stores of a brand: list, open a new one, edit or deactivate."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tribe.brands import services
from tribe.brands.models import Brand, Store
from tribe.web.console_forms import StoreCreateForm, StoreEditForm

from .base import brand_view, render_console, submit


def _list_page(request, brand: Brand, *, form=None, status: int = 200):
    stores = Store.objects.filter(brand=brand).annotate(product_count=Count("products")).order_by("id")
    context = {"stores": stores, "form": form or StoreCreateForm()}
    return render_console(request, "console/stores.html", brand, context, status=status)


@brand_view
def store_list(request, brand: Brand):
    if request.method != "POST":
        return _list_page(request, brand)
    form = StoreCreateForm(request.POST)
    return submit(
        request,
        form,
        lambda d: services.create_store(request.user, brand, **d),
        success_url=reverse("console:stores", args=[brand.slug]),
        message=_("店铺已创建"),
        failure=lambda status: _list_page(request, brand, form=form, status=status),
    )


@brand_view
def store_edit(request, brand: Brand, store_id: int):
    store = get_object_or_404(Store, pk=store_id, brand=brand)
    if request.method != "POST":
        form = StoreEditForm(
            initial={"name": store.name, "description": store.description, "is_active": store.is_active}
        )
        return render_console(request, "console/store_edit.html", brand, {"store": store, "form": form})
    form = StoreEditForm(request.POST)
    return submit(
        request,
        form,
        lambda d: services.update_store(request.user, store, **d),
        success_url=reverse("console:stores", args=[brand.slug]),
        message=_("店铺已保存"),
        failure=lambda status: render_console(
            request, "console/store_edit.html", brand, {"store": store, "form": form}, status=status
        ),
    )
