"""Request and response schemas shared by the routers.

Requests (`In` subclasses) are strict: exact JSON types ("5" is not 5, 9.9 is not a price), no unknown keys
(a typo in a PATCH must not be silently ignored), no NUL characters. The services still validate values
(lengths, ranges, money); the schemas only make sure they receive the types they expect.

Responses carry money as strings with two decimals and media as absolute URLs.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema, field_validator

from .common import MAX_ID

Money = Annotated[
    Decimal,
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d+\.\d{2}$", "examples": ["99.00"]}),
]


def _money_in(value):
    """A price from staff: a decimal string (or a whole number). Floats are refused: 0.1 + 0.2 is not money.
    The amount itself is checked by tribe.core.money.to_money in the service."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError('a decimal string such as "99.00"')
    return str(value)


MoneyIn = Annotated[
    str,
    BeforeValidator(_money_in),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(\.\d{1,2})?$", "examples": ["99.00"]}),
]
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]


def absolute(context, file) -> str | None:
    """URL of a stored file, absolute when the request is known (API clients are not on our pages)."""
    if not file:
        return None
    url = file.url
    request = (context or {}).get("request")
    return request.build_absolute_uri(url) if request is not None else url


class In(Schema):
    model_config = ConfigDict(strict=True, extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("contains a NUL character")
        return value


class OkOut(Schema):
    ok: bool = True


# ---- references -------------------------------------------------------------------------------------------


class BrandRef(Schema):
    id: int
    slug: str
    name: str
    kind: str
    logo_url: str | None

    @staticmethod
    def resolve_logo_url(obj, context):
        return absolute(context, obj.logo)


class StoreRef(Schema):
    id: int
    slug: str
    name: str


class CategoryRef(Schema):
    id: int
    slug: str
    name: str


class ImageOut(Schema):
    id: int
    url: str
    thumb_url: str | None
    width: int
    height: int
    alt: str

    @staticmethod
    def resolve_url(obj, context):
        return absolute(context, obj.image)

    @staticmethod
    def resolve_thumb_url(obj, context):
        return absolute(context, obj.thumb)


# ---- accounts ---------------------------------------------------------------------------------------------


class RegisterIn(In):
    username: str = Field(max_length=150)
    password: str = Field(max_length=128)
    nickname: str = ""
    city: str = ""


class TokenIn(In):
    username: str = Field(max_length=150)
    password: str = Field(max_length=128)


class TokenOut(Schema):
    token: str = Field(description="send as `Authorization: Bearer <token>`; shown once")
    expires_at: datetime


class StaffRoleOut(Schema):
    brand: BrandRef
    role: str


class MeOut(Schema):
    id: int
    username: str
    nickname: str
    display_name: str
    avatar_url: str | None
    city: str
    gender: str
    birth_year: int | None
    bio: str
    is_promoter: bool
    is_platform_operator: bool
    allow_promotions: bool
    allow_email_digest: bool
    show_purchases_to_friends: bool
    show_reviews_to_friends: bool
    share_purchases_nearby: bool
    staff_of: list[StaffRoleOut] = Field(description="brands this user is staff of, with the role")

    @staticmethod
    def resolve_avatar_url(obj, context):
        return absolute(context, obj.avatar)

    @staticmethod
    def resolve_staff_of(obj):
        return getattr(obj, "api_staff_of", [])


class ProfilePatch(In):
    nickname: str | None = None
    city: str | None = None
    gender: Literal["", "f", "m", "o"] | None = None
    birth_year: int | None = None
    bio: str | None = None
    allow_promotions: bool | None = None
    allow_email_digest: bool | None = None
    show_purchases_to_friends: bool | None = None
    show_reviews_to_friends: bool | None = None
    share_purchases_nearby: bool | None = None


# ---- catalogue --------------------------------------------------------------------------------------------


class SkuOut(Schema):
    id: int
    code: str
    options: dict[str, str]
    label: str
    price: Money
    stock: int
    is_active: bool


class ProductCard(Schema):
    id: int
    name: str
    subtitle: str
    min_price: Money
    max_price: Money
    in_stock: bool
    sales_count: int
    brand: BrandRef
    store: StoreRef
    cover: ImageOut | None


class ProductDetail(ProductCard):
    description: str
    option_names: list[str]
    published: bool
    category: CategoryRef
    category_path: list[CategoryRef] = Field(description="root → the product's category")
    skus: list[SkuOut] = Field(description="active SKUs; staff of the brand also see inactive ones")
    images: list[ImageOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_category_path(obj):
        return obj.api_category_path

    @staticmethod
    def resolve_skus(obj):
        return obj.api_skus


class SkuIn(In):
    options: dict[str, str] = Field(
        default_factory=dict, description='option name → value, e.g. {"颜色": "粉"}'
    )
    price: MoneyIn = Field(description="CNY as a decimal string, at most 2 places")
    stock: int = 0
    code: str = ""


class ProductIn(In):
    store: str = Field(description="slug of the selling store")
    category: str = Field(description="category slug")
    brand: str | None = Field(None, description="brand slug; defaults to the store's brand")
    name: str
    subtitle: str = ""
    description: str = ""
    option_names: list[str] = Field(default_factory=list, max_length=3)
    skus: list[SkuIn] = Field(default_factory=list, max_length=200)
    published: bool = False


class ProductPatch(In):
    name: str | None = None
    subtitle: str | None = None
    description: str | None = None
    category: str | None = Field(None, description="category slug")
    published: bool | None = None


class SkuPatch(In):
    price: MoneyIn | None = None
    stock: int | None = Field(None, description="units on hand (absolute figure)")
    is_active: bool | None = None


class CategoryNode(Schema):
    id: int
    slug: str
    name: str
    children: list[CategoryNode]


class CategoryDetail(Schema):
    id: int
    slug: str
    name: str
    path: list[CategoryRef] = Field(description="root → this category")
    children: list[CategoryRef]


# ---- brands and stores ------------------------------------------------------------------------------------


class BrandCard(BrandRef):
    tagline: str
    cover_url: str | None
    parent: BrandRef | None

    @staticmethod
    def resolve_cover_url(obj, context):
        return absolute(context, obj.cover)


class MediaOut(Schema):
    id: int
    kind: Literal["image", "video"]
    url: str | None = Field(description="the video link, or the absolute URL of the image")
    caption: str
    position: int

    @staticmethod
    def resolve_url(obj, context):
        return obj.url if obj.kind == "video" else absolute(context, obj.image)


class NewsOut(Schema):
    id: int
    title: str
    body: str
    published_at: datetime


class StoreOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    logo_url: str | None
    is_active: bool
    brand: BrandRef

    @staticmethod
    def resolve_logo_url(obj, context):
        return absolute(context, obj.logo)


class PlacementOut(Schema):
    id: int
    note: str
    product: ProductCard


class StationOut(BrandCard):
    story: str
    sub_brands: list[BrandRef]
    media: list[MediaOut]
    news: list[NewsOut] = Field(description="the latest news, newest first")
    stores: list[StoreOut] = Field(
        description="stores the station sells through (a hub: its sub-brands' too)"
    )
    placements: list[PlacementOut] = Field(
        description="content stations: products placed here, with their store"
    )

    @staticmethod
    def resolve_sub_brands(obj):
        return obj.api_sub_brands

    @staticmethod
    def resolve_media(obj):
        return obj.api_media

    @staticmethod
    def resolve_news(obj):
        return obj.api_news

    @staticmethod
    def resolve_stores(obj):
        return obj.api_stores

    @staticmethod
    def resolve_placements(obj):
        return obj.api_placements


class StationPatch(In):
    name: str | None = None
    tagline: str | None = None
    story: str | None = None


class NewsIn(In):
    title: str
    body: str = ""


class VideoIn(In):
    url: str = Field(description="http(s) link to the video")
    caption: str = ""


class StoreIn(In):
    name: str
    slug: str = Field("", description="generated from the name when empty")
    description: str = ""


class StorePatch(In):
    name: str | None = None
    description: str | None = None
    is_active: bool | None = None


class PlacementIn(In):
    product_id: ObjectId
    note: str = ""


# ---- bundles ----------------------------------------------------------------------------------------------


class BundleCard(Schema):
    id: int
    slug: str
    name: str
    scenario: str
    cover_url: str | None
    item_count: int

    @staticmethod
    def resolve_cover_url(obj, context):
        return absolute(context, obj.cover)


class BundleItemOut(Schema):
    product: ProductCard
    sku: SkuOut | None
    quantity: int
    note: str
    unit_price: Money = Field(description="the chosen SKU's price, else the product's lowest price")
    line_total: Money


class BundleDetail(BundleCard):
    description: str
    items: list[BundleItemOut] = Field(description="items whose product is on sale")
    total_price: Money = Field(description="sum of the items' line totals")

    @staticmethod
    def resolve_items(obj):
        return obj.api_items

    @staticmethod
    def resolve_total_price(obj):
        return obj.api_total


class BundleItemIn(In):
    product_id: ObjectId
    quantity: int = 1
    note: str = ""


class BundleIn(In):
    name: str
    slug: str
    scenario: str = ""
    description: str = ""
    items: list[BundleItemIn] = Field(max_length=50)
