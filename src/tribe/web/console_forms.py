"""Forms of the brand console. They only parse what the browser sends into Python values (text, numbers,
files, model choices); every domain rule (required names, money with two places, stock range, images
checked by Pillow, who may write) lives in the services, so a page and its API endpoint agree."""

from __future__ import annotations

import re

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from tribe.brands.models import Brand, Store
from tribe.catalog.models import Category, Product, Sku

SPLIT_RE = re.compile(r"\s*[,，]\s*")


class ConsoleForm(forms.Form):
    """Base of console forms: `service_fields` maps a field named in a DomainError to this form's field."""

    service_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        # Several console forms share a page: prefix element ids with the form's name so they stay unique.
        kwargs.setdefault("auto_id", f"id_{type(self).__name__.lower()}_%s")
        super().__init__(*args, **kwargs)

    def field_for(self, service_field: str) -> str | None:
        name = self.service_fields.get(service_field) or self.service_fields.get(service_field.split(".")[0])
        name = name or service_field
        return name if name in self.fields else None


def _text(label, *, max_length: int, required: bool = False, textarea: bool = False, rows: int = 4):
    """A lenient text field: the service enforces required/length; the attributes help the browser."""
    attrs = {"maxlength": max_length}
    if required:
        attrs["required"] = "required"
    widget = forms.Textarea(attrs={**attrs, "rows": rows}) if textarea else forms.TextInput(attrs=attrs)
    return forms.CharField(label=label, required=False, widget=widget)


class StationForm(ConsoleForm):
    name = _text(_("品牌名称"), max_length=60, required=True)
    tagline = _text(_("口号"), max_length=120)
    story = _text(_("品牌故事"), max_length=20000, textarea=True, rows=8)


class StationImageForm(ConsoleForm):
    which = forms.ChoiceField(label=_("位置"), choices=[("logo", _("标志")), ("cover", _("封面"))])
    image = forms.FileField(label=_("图片文件"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    service_fields = {"logo": "image", "cover": "image"}


class NewsForm(ConsoleForm):
    title = _text(_("标题"), max_length=120, required=True)
    body = _text(_("正文"), max_length=20000, textarea=True)


class VideoForm(ConsoleForm):
    url = _text(_("视频链接"), max_length=300, required=True)
    caption = _text(_("说明"), max_length=120)


class MediaImageForm(ConsoleForm):
    image = forms.FileField(label=_("图片文件"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    caption = _text(_("说明"), max_length=120)


class StoreCreateForm(ConsoleForm):
    name = _text(_("店铺名称"), max_length=60, required=True)
    slug = _text(_("网址标识（可选，小写字母、数字、-）"), max_length=60)
    description = _text(_("店铺介绍"), max_length=5000, textarea=True)


class StoreEditForm(ConsoleForm):
    name = _text(_("店铺名称"), max_length=60, required=True)
    description = _text(_("店铺介绍"), max_length=5000, textarea=True)
    is_active = forms.BooleanField(label=_("营业中（取消勾选即停用店铺）"), required=False)


def category_choices() -> list[tuple[str, str]]:
    """The category tree depth-first, children indented under their parent (one query)."""
    children: dict[int | None, list[Category]] = {}
    for cat in Category.objects.order_by("position", "id"):
        children.setdefault(cat.parent_id, []).append(cat)
    out: list[tuple[str, str]] = [("", "---------")]

    def walk(parent_id: int | None, depth: int) -> None:
        for cat in children.get(parent_id, []):
            out.append((str(cat.pk), "\u3000" * depth + cat.name))
            walk(cat.pk, depth + 1)

    walk(None, 0)
    return out


class CategoryField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Category.objects.all(), label=_("分类"), **kwargs)


class ProductCreateForm(ConsoleForm):
    store = forms.ModelChoiceField(queryset=Store.objects.none(), label=_("店铺"))
    brand = forms.ModelChoiceField(queryset=Brand.objects.none(), label=_("商品品牌"), required=False)
    category = CategoryField()
    name = _text(_("商品名称"), max_length=120, required=True)
    subtitle = _text(_("卖点"), max_length=160)
    description = _text(_("详情"), max_length=20000, textarea=True)
    option_names = forms.CharField(
        label=_("规格名（用逗号分隔，如：颜色,尺码；无规格留空）"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "颜色,尺码"}),
    )
    skus = forms.CharField(
        label=_("首批 SKU（每行一个：规格值…, 价格, 库存，如：粉色,M,99.00,10）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "粉色,M,99.00,10"}),
    )
    published = forms.BooleanField(label=_("立即上架"), required=False)
    service_fields = {"options": "skus", "price": "skus", "stock": "skus", "code": "skus"}

    def __init__(self, *args, brand: Brand, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = Store.objects.filter(brand=brand)
        self.fields["category"].choices = category_choices()
        if brand.kind == Brand.Kind.HUB:
            # A hub's stores may sell its sub-brands: offer the group brand and its children.
            self.fields["brand"].queryset = Brand.objects.filter(Q(pk=brand.pk) | Q(parent=brand))
            self.fields["brand"].empty_label = _("同店铺品牌")
        else:
            del self.fields["brand"]

    def clean_option_names(self) -> list[str]:
        raw = self.cleaned_data.get("option_names") or ""
        return [n for n in SPLIT_RE.split(raw.strip()) if n]

    def clean(self):
        data = super().clean()
        names = data.get("option_names")
        if names is None:
            return data
        specs = []
        for number, line in enumerate((data.get("skus") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = SPLIT_RE.split(line.strip())
            if len(parts) != len(names) + 2:
                self.add_error(
                    "skus",
                    _("第 %(n)d 行应有 %(k)d 项：规格值、价格、库存") % {"n": number, "k": len(names) + 2},
                )
                continue
            *values, price, stock = parts
            try:
                stock_value = int(stock)
            except ValueError:
                self.add_error("skus", _("第 %(n)d 行的库存须为整数") % {"n": number})
                continue
            specs.append(
                {"options": dict(zip(names, values, strict=True)), "price": price, "stock": stock_value}
            )
        data["sku_specs"] = specs
        return data


class ProductEditForm(ConsoleForm):
    name = _text(_("商品名称"), max_length=120, required=True)
    subtitle = _text(_("卖点"), max_length=160)
    description = _text(_("详情"), max_length=20000, textarea=True)
    category = CategoryField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()


class PublishForm(ConsoleForm):
    # An explicit "1"/"0" rather than a checkbox: the toggle button says which state it asks for.
    published = forms.TypedChoiceField(
        choices=[("1", _("上架")), ("0", _("下架"))], coerce=lambda v: v == "1"
    )


class SkuForm(ConsoleForm):
    """Inline edit of one SKU. Price stays text so the money rules (two places, not negative) are the
    service's; stock is parsed as a whole number and its range is the service's too."""

    price = forms.CharField(
        label=_("价格"), widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8})
    )
    stock = forms.IntegerField(label=_("库存"), widget=forms.NumberInput(attrs={"size": 6}))
    is_active = forms.BooleanField(label=_("在售"), required=False)


class SkuAddForm(ConsoleForm):
    price = forms.CharField(label=_("价格"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    stock = forms.IntegerField(label=_("库存"), initial=0)
    code = _text(_("SKU 编码（可选）"), max_length=64)

    def __init__(self, *args, product: Product, **kwargs):
        super().__init__(*args, **kwargs)
        self.option_names = list(product.option_names)
        self.service_fields = {"options": "option_0"} if self.option_names else {}
        for i, name in enumerate(self.option_names):
            self.fields[f"option_{i}"] = forms.CharField(label=name, max_length=200)
            self.service_fields[f"options.{name}"] = f"option_{i}"
        # Option inputs first, as the shopper reads them.
        self.order_fields([f"option_{i}" for i in range(len(self.option_names))])

    @property
    def options(self) -> dict:
        return {name: self.cleaned_data[f"option_{i}"] for i, name in enumerate(self.option_names)}


class ProductImageForm(ConsoleForm):
    image = forms.FileField(label=_("图片文件"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    alt = _text(_("图片说明"), max_length=120)


class ProductFilterForm(forms.Form):
    q = forms.CharField(
        label=_("商品名称"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("搜索商品名称"), "aria-label": _("商品名称")}
        ),
    )
    store = forms.ModelChoiceField(
        queryset=Store.objects.none(), label=_("店铺"), required=False, empty_label=_("全部店铺")
    )
    published = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), ("1", _("已上架")), ("0", _("未上架"))]
    )
    stock = forms.ChoiceField(
        label=_("库存"),
        required=False,
        choices=[("", _("全部")), ("out", _("全部缺货")), ("sku_out", _("有缺货 SKU")), ("in", _("有货"))],
    )

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores

    def apply(self, products):
        """Narrow a product queryset by the valid filters; an invalid value is simply not applied."""
        if not self.is_bound:
            return products
        self.is_valid()
        data = self.cleaned_data
        if data.get("q"):
            products = products.filter(name__icontains=data["q"].strip())
        if data.get("store"):
            products = products.filter(store=data["store"])
        if data.get("published") in {"0", "1"}:
            products = products.filter(published=data["published"] == "1")
        stock = data.get("stock")
        if stock == "out":
            products = products.filter(total_stock=0)
        elif stock == "in":
            products = products.filter(total_stock__gt=0)
        elif stock == "sku_out":  # what the dashboard's "缺货 SKU" counts
            products = products.filter(
                Exists(Sku.objects.filter(product=OuterRef("pk"), is_active=True, stock=0))
            )
        return products


class PlacementForm(ConsoleForm):
    product = forms.ModelChoiceField(queryset=Product.objects.published(), widget=forms.HiddenInput)
    note = _text(_("出现场景（如：第 3 集女主同款）"), max_length=200)
