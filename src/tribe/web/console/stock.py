"""Stock of a brand: every SKU of its products with what can still be sold and what unpaid orders hold.

`Sku.stock` is what can still be sold; units in an unpaid order are already taken out of it and sit in an
active reservation until the order is paid (sold), cancelled or expires (back on sale). Showing both tells
staff why a SKU that "has 10 in the warehouse" sells as 7.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from tribe.brands.models import Brand
from tribe.catalog.models import Sku
from tribe.inventory.models import Reservation
from tribe.inventory.services import reserved_by_sku

from .base import brand_view, render_console
from .products import brand_products

PAGE_SIZE = 50


class StockFilterForm(forms.Form):
    q = forms.CharField(
        label=_("商品名称"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("搜索商品名称"), "aria-label": _("商品名称")}
        ),
    )
    stock = forms.ChoiceField(
        label=_("库存"),
        required=False,
        choices=[("", _("全部")), ("out", _("缺货")), ("reserved", _("有待付款占用")), ("off", _("停售"))],
    )

    def apply(self, skus):
        """Narrow a SKU queryset by the valid filters; an invalid value is simply not applied."""
        if not self.is_bound:
            return skus
        self.is_valid()
        data = self.cleaned_data
        if data.get("q"):
            skus = skus.filter(product__name__icontains=data["q"].strip())
        stock = data.get("stock")
        if stock == "out":
            skus = skus.filter(is_active=True, stock=0)
        elif stock == "reserved":
            active = Reservation.objects.filter(sku=OuterRef("pk"), state=Reservation.State.ACTIVE)
            skus = skus.filter(Exists(active))
        elif stock == "off":
            skus = skus.filter(is_active=False)
        return skus


@brand_view
def stock_list(request, brand: Brand):
    """One page of SKUs: count, SKUs with product and store, reservations summed per SKU — fixed."""
    filters = StockFilterForm(request.GET or None)
    skus = (
        filters.apply(Sku.objects.filter(product__in=brand_products(brand).values("id")))
        .select_related("product__store")
        .order_by("product__name", "product_id", "id")
    )
    page = Paginator(skus, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    reserved = reserved_by_sku([sku.pk for sku in page.object_list])
    for sku in page.object_list:
        sku.reserved = reserved.get(sku.pk, 0)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "query": query.urlencode(), "nav": "stock"}
    return render_console(request, "console/stock.html", brand, context)
