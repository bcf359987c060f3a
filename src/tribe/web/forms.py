"""Storefront forms. They parse and coerce what the browser sends; the services decide what is valid and
their ValidationFailed.fields are put back on the form next to the fields they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tribe.accounts.models import User
from tribe.brands.models import Brand
from tribe.catalog.models import Category
from tribe.core.errors import DomainError
from tribe.search.services import SearchParams

MAX_QUERY = 100
MAX_PAGE = 500
PAGE_SIZE = 20
SORT_CHOICES = [
    ("relevance", _("综合")),
    ("sales", _("销量")),
    ("newest", _("新品")),
    ("price", _("价格从低到高")),
    ("-price", _("价格从高到低")),
]
TRUE_VALUES = {"1", "on", "true", "yes"}
FALSE_VALUES = {"", "0", "off", "false", "no"}

# The services speak English in ValidationFailed.fields; the pages speak Chinese. Unknown texts pass through.
SERVICE_MESSAGES = {
    "already taken": _("该用户名已被注册"),
    "3–30 letters, digits or _ . - @": _("3–30 个字符，只能用字母、数字或 _ . - @"),
    "at most 40 characters": _("最多 40 个字符"),
    "at most 200 characters": _("最多 200 个字符"),
    "must be text": _("请输入文字"),
    "one of: '', f, m, o": _("请选择性别"),
    "not an image": _("不是有效的图片"),
    "unsupported format": _("只支持 JPEG、PNG、WebP、GIF 图片"),
    "too large": _("图片太大"),
    "too many pixels": _("图片尺寸太大"),
    "empty file": _("文件是空的"),
    "must be true or false": _("请选择是或否"),
}


def service_message(text: str) -> str:
    if text.startswith("a year between"):
        return str(_("请填写 1900 年到今年之间的年份"))
    return str(SERVICE_MESSAGES.get(text, text))


def apply_service_errors(form: forms.Form, error: DomainError) -> None:
    """Show a service's field errors next to the form's fields; anything else as a form-wide error."""
    placed = False
    for name, text in (error.fields or {}).items():
        if name in form.fields:
            form.add_error(name, service_message(str(text)))
            placed = True
    if not placed:
        form.add_error(None, service_message(error.message))


class ListingFilterForm(forms.Form):
    """Filters and sort shared by search, category and store listings. Invalid input is an error (400),
    never silently ignored: a shopper who typed a price range should not see unfiltered results."""

    q = forms.CharField(required=False, max_length=MAX_QUERY, strip=True)
    category = forms.SlugField(required=False)
    brand = forms.SlugField(required=False)
    min_price = forms.DecimalField(required=False, min_value=0, max_digits=12, decimal_places=2)
    max_price = forms.DecimalField(required=False, min_value=0, max_digits=12, decimal_places=2)
    in_stock = forms.CharField(required=False)
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, data, *, fixed_category: Category | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.fixed_category = fixed_category

    def clean_category(self) -> Category | None:
        slug = self.cleaned_data.get("category")
        if not slug:
            return None
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            raise forms.ValidationError(_("没有这个分类：%(slug)s"), params={"slug": slug})
        return category

    def clean_brand(self) -> Brand | None:
        slug = self.cleaned_data.get("brand")
        if not slug:
            return None
        brand = Brand.objects.filter(slug=slug, is_active=True).first()
        if brand is None:
            raise forms.ValidationError(_("没有这个品牌：%(slug)s"), params={"slug": slug})
        # A group brand's filter covers its sub-brands too.
        brand.filter_ids = [brand.id]
        if brand.kind == Brand.Kind.HUB:
            brand.filter_ids += list(brand.children.values_list("id", flat=True))
        return brand

    def clean_in_stock(self) -> bool:
        value = (self.cleaned_data.get("in_stock") or "").strip().lower()
        if value in TRUE_VALUES:
            return True
        if value in FALSE_VALUES:
            return False
        raise forms.ValidationError(_("“仅看有货”只能是 1 或留空"))

    def clean(self):
        data = super().clean()
        lo, hi = data.get("min_price"), data.get("max_price")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("max_price", _("最高价不能低于最低价"))
        return data

    def error_text(self) -> str:
        """All errors in one line, field label first, for the 400 page."""
        parts = []
        for name, errors in self.errors.items():
            label = str(FILTER_LABELS.get(name, name))
            parts.append(f"{label}：{'；'.join(str(e) for e in errors)}")
        return "；".join(parts)

    def params(self, *, store_id: int | None = None, page_size: int = PAGE_SIZE) -> SearchParams:
        data = self.cleaned_data
        brand: Brand | None = data.get("brand")
        brand_ids = brand.filter_ids if brand is not None else None
        category = self.fixed_category if self.fixed_category is not None else data.get("category")
        if self.fixed_category is not None and data.get("category") is not None:
            # Inside a category page the filter narrows to a descendant only.
            chosen = data["category"]
            if chosen.path.startswith(self.fixed_category.path):
                category = chosen
        return SearchParams(
            q=data.get("q") or "",
            category=category,
            brand_ids=brand_ids,
            store_id=store_id,
            min_price=data.get("min_price"),
            max_price=data.get("max_price"),
            in_stock=bool(data.get("in_stock")),
            sort=data.get("sort") or ("relevance" if data.get("q") else "newest"),
            page=data.get("page") or 1,
            page_size=page_size,
        )


FILTER_LABELS = {
    "q": _("关键词"),
    "category": _("分类"),
    "brand": _("品牌"),
    "min_price": _("最低价"),
    "max_price": _("最高价"),
    "in_stock": _("仅看有货"),
    "sort": _("排序"),
    "page": _("页码"),
    "__all__": _("筛选"),
}


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, strip=False, max_length=128)


class RegisterForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=30,
                               help_text=_("3–30 个字符：字母、数字或 _ . - @"))
    nickname = forms.CharField(label=_("昵称"), max_length=40, required=False)
    city = forms.CharField(label=_("城市"), max_length=40, required=False)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, strip=False, max_length=128,
                               help_text=_("至少 8 位，不能全是数字"))
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput, strip=False, max_length=128)

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致"))
        return data


class ProfileForm(forms.Form):
    """Profile and consent. Booleans are always sent (an unticked box means off)."""

    nickname = forms.CharField(label=_("昵称"), max_length=40, required=False)
    city = forms.CharField(label=_("城市"), max_length=40, required=False)
    gender = forms.ChoiceField(label=_("性别"), choices=User.Gender.choices, required=False)
    birth_year = forms.IntegerField(label=_("出生年份"), required=False, min_value=1900, max_value=2100)
    bio = forms.CharField(label=_("简介"), max_length=200, required=False,
                          widget=forms.Textarea(attrs={"rows": 3}))
    avatar = forms.FileField(label=_("头像"), required=False,
                             help_text=_("JPEG、PNG、WebP 或 GIF，不超过 5 MB"))
    allow_promotions = forms.BooleanField(label=_("接收商家推广"), required=False)
    allow_email_digest = forms.BooleanField(label=_("接收邮件周报"), required=False)
    show_purchases_to_friends = forms.BooleanField(label=_("好友可见我的购买"), required=False)
    show_reviews_to_friends = forms.BooleanField(label=_("好友可见我的评价"), required=False)
    share_purchases_nearby = forms.BooleanField(label=_("附近的人可以看到我买过的商品（匿名汇总）"), required=False)

    PROFILE_FIELDS = (
        "nickname", "city", "gender", "birth_year", "bio",
        "allow_promotions", "allow_email_digest", "show_purchases_to_friends", "show_reviews_to_friends",
        "share_purchases_nearby",
    )
    CONSENT_FIELDS = PROFILE_FIELDS[5:]

    @classmethod
    def initial_for(cls, user: User) -> dict:
        return {name: getattr(user, name) for name in cls.PROFILE_FIELDS}

    def changes(self) -> dict:
        """The cleaned values in the shape accounts.services.update_profile takes."""
        return {name: self.cleaned_data.get(name) for name in self.PROFILE_FIELDS}
