"""Console entry: the brands a user manages, and one brand's dashboard."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from tribe.brands.models import Brand, Store
from tribe.brands.selectors import managed_brand_ids
from tribe.catalog.models import Placement, Product, Sku

from .base import brand_view, forbidden, login_redirect, product_scope, render_console
from .orders import order_counts


def index(request):
    if not request.user.is_authenticated:
        return login_redirect(request)
    ids = managed_brand_ids(request.user)
    if ids is not None and not ids:
        return forbidden(request, _("品牌后台仅对品牌员工开放。如需开通，请联系品牌负责人。"))
    brands = Brand.objects.select_related("parent").order_by("parent_id", "id")
    if ids is not None:
        brands = brands.filter(id__in=ids)
    return render_console(request, "console/index.html", None, {"brands": brands})


@brand_view
def dashboard(request, brand: Brand):
    """Counts computed by a fixed number of aggregate queries, whatever the catalogue and order book size."""
    products = Product.objects.filter(product_scope(brand))
    counts = products.aggregate(
        published_count=Count("id", filter=Q(published=True)),
        unpublished_count=Count("id", filter=Q(published=False)),
    )
    counts.update(
        Store.objects.filter(brand=brand).aggregate(
            stores_count=Count("id"),
            active_stores_count=Count("id", filter=Q(is_active=True)),
        )
    )
    counts["skus_out_of_stock_count"] = Sku.objects.filter(
        product__in=products.values("id"), is_active=True, stock=0
    ).count()
    context = {"counts": counts}
    if brand.kind == Brand.Kind.CONTENT:
        counts["placements_count"] = Placement.objects.filter(station=brand).count()
    else:
        context["order_counts"] = order_counts(brand)  # 待发货, 售后待处理
    return render_console(request, "console/dashboard.html", brand, context)
