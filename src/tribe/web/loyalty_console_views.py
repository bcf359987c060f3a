"""Console: the brand's member prices (会员价) per SKU and tier — list, add, edit, remove. The tier policy
itself is platform-wide (Django admin)."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tribe.catalog.models import Sku
from tribe.loyalty import tiers
from tribe.loyalty.models import Tier, TierPrice

from .console.base import brand_view, render_console, submit
from .console_forms import ConsoleForm


class SkuChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = " ".join(str(v) for v in (obj.options or {}).values())
        return f"{obj.product.name} {label} ({obj.code}) ¥{obj.price}"


class TierPriceForm(ConsoleForm):
    service_fields = {"sku_id": "sku", "tier_id": "tier"}
    sku = SkuChoice(label=gettext_lazy("SKU"), queryset=Sku.objects.none())
    tier = forms.ModelChoiceField(label=gettext_lazy("会员等级"),
                                  queryset=Tier.objects.filter(is_active=True, rank__gt=0))
    price = forms.CharField(label=gettext_lazy("会员价（元）"), max_length=20)

    def __init__(self, *args, brand=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sku"].queryset = (Sku.objects.filter(Q(product__store__brand=brand) | Q(product__brand=brand),
                                                          is_active=True)
                                       .select_related("product").order_by("product_id", "id"))


class TierPriceEditForm(ConsoleForm):
    price = forms.CharField(label=gettext_lazy("会员价（元）"), max_length=20)


def _list_url(brand) -> str:
    return reverse("console:loyalty_tier_prices", args=[brand.slug])


@brand_view
@require_http_methods(["GET", "POST"])
def tier_prices(request: HttpRequest, brand) -> HttpResponse:
    form = TierPriceForm(request.POST or None, brand=brand)

    def page(status=200):
        rows = Paginator(tiers.brand_tier_prices(brand), 30).get_page(request.GET.get("page"))
        return render_console(request, "console/loyalty/tier_prices.html", brand,
                              {"page": rows, "form": form, "tiers": tiers.active_tiers()}, status=status)

    if request.method == "GET":
        return page()
    return submit(request, form, lambda d: tiers.set_tier_price(request.user, brand, sku_id=d["sku"].pk,
                                                                 tier_id=d["tier"].pk, price=d["price"]),
                  success_url=_list_url(brand), message=_("会员价已保存"), failure=page)


def _row(brand, tier_price_id: int) -> TierPrice:
    return get_object_or_404(tiers.brand_tier_prices(brand), pk=min(tier_price_id, 2**63 - 1))


@brand_view
@require_http_methods(["GET", "POST"])
def tier_price_edit(request: HttpRequest, brand, tier_price_id: int) -> HttpResponse:
    row = _row(brand, tier_price_id)
    form = TierPriceEditForm(request.POST or None, initial={"price": row.price})

    def page(status=200):
        return render_console(request, "console/loyalty/tier_price_edit.html", brand, {"row": row, "form": form},
                              status=status)

    if request.method == "GET":
        return page()
    return submit(request, form, lambda d: tiers.set_tier_price(request.user, brand, sku_id=row.sku_id,
                                                                 tier_id=row.tier_id, price=d["price"]),
                  success_url=_list_url(brand), message=_("会员价已保存"), failure=page)


@brand_view
@require_POST
def tier_price_remove(request: HttpRequest, brand, tier_price_id: int) -> HttpResponse:
    from django.contrib import messages
    from django.shortcuts import redirect

    row = _row(brand, tier_price_id)
    tiers.remove_tier_price(request.user, brand, row.pk)
    messages.success(request, _("会员价已删除"))
    return redirect(_list_url(brand))
