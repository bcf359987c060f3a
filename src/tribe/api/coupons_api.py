"""API of 优惠券: claimable coupons and claiming, my coupons, and the brand console's templates (CRUD, start/
pause/resume/end, grant to a target set, redemption stats). Using a coupon is a checkout option:
`{"options": {"coupons": [user_coupon_id, ...]}}`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from tribe.brands.models import Brand
from tribe.brands.selectors import require_brand_staff
from tribe.catalog.models import Product
from tribe.coupons import selectors, services
from tribe.coupons.models import CouponTemplate, UserCoupon

from .auth import OPTIONAL, REQUIRED
from .common import by_id, by_slug, ref_by_id, ref_by_slug
from .pagination import Page, PageQuery, paginate
from .schemas import In, MoneyIn, ObjectId

router = Router(tags=["coupons"])


class TemplateOut(Schema):
    id: int
    code: str
    brand: str
    brand_name: str
    title: str
    description: str
    status: str
    phase: str
    starts_at: datetime
    ends_at: datetime
    benefit: str
    summary: str
    threshold: str
    amount: str
    percent_off: int
    max_discount: str | None
    nth: int
    scope: str
    scope_store: int | None
    scope_category: int | None
    total_quantity: int | None
    left: int | None
    per_user_limit: int
    claimable: bool
    stackable: bool
    with_play_price: bool
    exclusive: bool
    priority: int
    return_on_refund: bool
    valid_days: int | None
    use_from: datetime | None
    use_until: datetime | None
    held: int = Field(0, description="how many of these the caller holds (0 when anonymous)")


class ConsoleTemplateOut(TemplateOut):
    scope_products: list[int]
    granted: int
    used: int
    available: int
    discount_given: str


class UserCouponOut(Schema):
    id: int
    state: str
    source: str
    valid_from: datetime
    valid_to: datetime
    order: str | None
    discount: str
    template: TemplateOut


def _tpl(t: CouponTemplate, held: int = 0) -> dict:
    return {
        "id": t.pk, "code": t.code, "brand": t.brand.slug, "brand_name": t.brand.name, "title": t.title,
        "description": t.description, "status": t.status, "phase": t.phase, "starts_at": t.starts_at,
        "ends_at": t.ends_at, "benefit": t.benefit, "summary": t.summary, "threshold": f"{t.threshold:.2f}",
        "amount": f"{t.amount:.2f}", "percent_off": t.percent_off,
        "max_discount": None if t.max_discount is None else f"{t.max_discount:.2f}", "nth": t.nth,
        "scope": t.scope, "scope_store": t.scope_store_id, "scope_category": t.scope_category_id,
        "total_quantity": t.total_quantity, "left": t.left, "per_user_limit": t.per_user_limit,
        "claimable": t.claimable, "stackable": t.stackable, "with_play_price": t.with_play_price,
        "exclusive": t.exclusive, "priority": t.priority, "return_on_refund": t.return_on_refund,
        "valid_days": t.valid_days, "use_from": t.use_from, "use_until": t.use_until, "held": held,
    }


def _mine(c: UserCoupon) -> dict:
    return {"id": c.pk, "state": c.shown_state, "source": c.source, "valid_from": c.valid_from,
            "valid_to": c.valid_to, "order": c.order.number if c.order_id else None,
            "discount": f"{c.discount:.2f}", "template": _tpl(c.template)}


class ClaimableQuery(PageQuery):
    brand: str | None = None
    product: ObjectId | None = None


@router.get("/coupons", response=Page[TemplateOut], auth=OPTIONAL,
            summary="Coupons anyone can claim now (filter by brand slug or product id)")
def claimable(request, q: Query[ClaimableQuery]):
    qs = selectors.claimable()
    if q.product is not None:
        product = ref_by_id(Product.objects.published().select_related("store", "category"), q.product,
                            "product", "product")
        qs = selectors.claimable_for_product(product)
    if q.brand:
        qs = qs.filter(brand=ref_by_slug(Brand.objects.all(), q.brand, "brand", "brand"))
    page = paginate(qs, q)
    held = selectors.held_counts(request.user, page["items"])
    page["items"] = [_tpl(t, held.get(t.pk, 0)) for t in page["items"]]
    return page


@router.get("/coupons/{int:template_id}", response=TemplateOut, auth=OPTIONAL, summary="One claimable coupon")
def coupon(request, template_id: int):
    t = selectors.find_shared_template(str(template_id))
    if t is None:
        from tribe.core.errors import NotFound

        raise NotFound(f"coupon {template_id} not found", code="coupon_not_found")
    return _tpl(t, selectors.held_counts(request.user, [t]).get(t.pk, 0))


@router.post("/coupons/{int:template_id}/claim", response={201: UserCouponOut}, auth=REQUIRED,
             summary="Claim one coupon (409 coupon_out_of_stock / coupon_limit / campaign_ended …)")
def claim(request, template_id: int):
    c = services.claim(request.user, template_id, request=request)
    c = UserCoupon.objects.select_related("template__brand", "order").get(pk=c.pk)
    return Status(201, _mine(c))


class MineQuery(PageQuery):
    state: Literal["available", "used", "expired", "void", "locked"] | None = None


@router.get("/me/coupons", response=Page[UserCouponOut], auth=REQUIRED, summary="My coupons by state")
def my_coupons(request, q: Query[MineQuery]):
    page = paginate(selectors.wallet(request.user, q.state), q)
    page["items"] = [_mine(c) for c in page["items"]]
    return page


class CouponOptionOut(Schema):
    coupon: UserCouponOut
    discount: str | None = Field(description="money off on its own; null when it cannot apply")
    error: str = Field(description="why it cannot apply (coupon_threshold, coupon_out_of_scope …), else empty")


class BestOut(Schema):
    coupons: list[int] = Field(description="the best combination: pass as checkout options.coupons")
    discount: str
    options: list[CouponOptionOut]


@router.get("/me/coupons/for-checkout", response=BestOut, auth=REQUIRED,
            summary="My usable coupons for my cart's checkout, with the best combination")
def for_checkout(request):
    from tribe.core.errors import ValidationFailed
    from tribe.coupons.redemption import best_coupons
    from tribe.orders.cart import get_cart
    from tribe.orders.checkout import quote

    try:
        q = quote(request.user, get_cart(request.user))
    except ValidationFailed as exc:
        if exc.code != "empty_cart":
            raise
        return {"coupons": [], "discount": "0.00", "options": []}
    best = best_coupons(request.user, [ln for s in q.stores for ln in s.lines])
    return {"coupons": best["coupons"], "discount": f"{best['discount']:.2f}",
            "options": [{"coupon": _mine(o["coupon"]), "error": o["error"],
                         "discount": None if o["discount"] is None else f"{o['discount']:.2f}"}
                        for o in best["options"]]}


# ---- console ----------------------------------------------------------------------------------------------


class TemplateIn(In):
    title: str | None = None
    description: str | None = None
    starts_at: datetime | None = Field(None, strict=False, description="claiming opens (ISO 8601 with a zone)")
    ends_at: datetime | None = Field(None, strict=False, description="claiming closes")
    benefit: Literal["amount_off", "percent_off", "fixed_price", "free_shipping", "nth_discount"] | None = None
    threshold: MoneyIn | None = None
    amount: MoneyIn | None = None
    percent_off: int | None = None
    max_discount: MoneyIn | None = None
    nth: int | None = None
    scope: Literal["brand", "store", "category", "products"] | None = None
    scope_store: ObjectId | None = None
    scope_category: ObjectId | None = None
    scope_products: list[ObjectId] | None = None
    total_quantity: int | None = None
    per_user_limit: int | None = None
    claimable: bool | None = None
    stackable: bool | None = None
    with_play_price: bool | None = None
    exclusive: bool | None = None
    priority: int | None = None
    return_on_refund: bool | None = None
    valid_days: int | None = None
    use_from: datetime | None = Field(None, strict=False)
    use_until: datetime | None = Field(None, strict=False)


class GrantIn(In):
    segment: Literal["followers", "fans", "buyers", "usernames"]
    days: int | None = Field(None, description="buyers: who paid an order of the brand within N days")
    usernames: list[str] | None = Field(None, description="usernames: the list (up to 5000)")
    batch: str = Field("", description="a key of this push: repeating it grants nothing twice")


class GrantOut(Schema):
    targets: int
    granted: int
    already: int
    limit: int
    out_of_stock: int


def _brand(request, slug: str) -> Brand:
    brand = by_slug(Brand.objects.all(), slug, "brand")
    require_brand_staff(request.user, brand.pk)
    return brand


def _console_out(t: CouponTemplate, st: dict) -> dict:
    return {**_tpl(t), "scope_products": sorted(p.pk for p in t.scope_products.all()), "granted": st["granted"],
            "used": st["used"], "available": st["available"], "discount_given": f"{st['discount']:.2f}"}


def _owned(brand, template_id: int) -> CouponTemplate:
    return by_id(CouponTemplate.objects.filter(brand=brand).select_related("brand")
                 .prefetch_related("scope_products"), template_id, "coupon")


class ConsoleQuery(PageQuery):
    status: Literal["draft", "running", "paused", "ended"] | None = None


@router.get("/console/brands/{slug}/coupons", response=Page[ConsoleTemplateOut], auth=REQUIRED,
            summary="The brand's coupon templates with redemption stats")
def console_list(request, slug: str, q: Query[ConsoleQuery]):
    qs = CouponTemplate.objects.filter(brand=_brand(request, slug)).select_related("brand").prefetch_related(
        "scope_products")
    if q.status:
        qs = qs.filter(status=q.status)
    page = paginate(qs, q)
    st = selectors.stats(page["items"])
    page["items"] = [_console_out(t, st[t.pk]) for t in page["items"]]
    return page


@router.post("/console/brands/{slug}/coupons", response={201: ConsoleTemplateOut}, auth=REQUIRED,
             summary="Create a coupon template (a draft: start it to open claiming)")
def console_create(request, slug: str, payload: TemplateIn):
    brand = _brand(request, slug)
    t = services.create_template(request.user, brand, payload.model_dump(exclude_unset=True))
    t = _owned(brand, t.pk)
    return Status(201, _console_out(t, selectors.stats([t])[t.pk]))


@router.get("/console/brands/{slug}/coupons/{int:template_id}", response=ConsoleTemplateOut, auth=REQUIRED,
            summary="One template with its stats")
def console_get(request, slug: str, template_id: int):
    t = _owned(_brand(request, slug), template_id)
    return _console_out(t, selectors.stats([t])[t.pk])


@router.patch("/console/brands/{slug}/coupons/{int:template_id}", response=ConsoleTemplateOut, auth=REQUIRED,
              summary="Edit a template (value fields are frozen once coupons were granted: 409)")
def console_update(request, slug: str, template_id: int, payload: TemplateIn):
    brand = _brand(request, slug)
    t = services.update_template(request.user, _owned(brand, template_id), payload.model_dump(exclude_unset=True))
    t = _owned(brand, t.pk)
    return _console_out(t, selectors.stats([t])[t.pk])


@router.post("/console/brands/{slug}/coupons/{int:template_id}/grant", response=GrantOut, auth=REQUIRED,
             summary="Push a coupon to a target set (only users who opted in to promotions)")
def console_grant(request, slug: str, template_id: int, payload: GrantIn):
    t = _owned(_brand(request, slug), template_id)
    return services.grant_segment(request.user, t, payload.segment, days=payload.days,
                                  usernames="\n".join(payload.usernames or []), batch=payload.batch,
                                  request=request)


@router.post("/console/brands/{slug}/coupons/{int:template_id}/{action}", response=ConsoleTemplateOut,
             auth=REQUIRED, summary="start | pause | resume | end")
def console_move(request, slug: str, template_id: int, action: Literal["start", "pause", "resume", "end"]):
    brand = _brand(request, slug)
    t = services.move_template(request.user, _owned(brand, template_id), action, request=request)
    t = _owned(brand, t.pk)
    return _console_out(t, selectors.stats([t])[t.pk])
