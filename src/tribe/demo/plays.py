"""The marketing plays of the demo: coupons, member prices and sign-ins, group buys, a bargain, flash sales, a
lottery, a trial and a presale — each created and played through its app's services, as brand staff and demo
consumers would through the console and the shop.

Nothing is faked: every number a page shows comes from real rows (a group's members are real paid orders, a
lottery's draws are real draws). Windows are relative to now, because the demo is seeded at install time.

Each play is seeded in its own savepoint: a step its app refuses (a DomainError, or a bug in a play app) is
rolled back, logged with its traceback and counted under `refused`, and the rest of the demo goes on — the
demo tests assert that count is 0, so nothing is swallowed there. Lottery outcomes use the lottery's own
CSPRNG on purpose (published odds), so which prize a draw wins is the one thing not fixed by the seed.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tribe.brands.models import Brand, BrandMembership
from tribe.catalog.models import Product, Sku

from .plan import rng_for

log = logging.getLogger(__name__)
User = get_user_model()
CENT = Decimal("0.01")

REASONS = (
    "宝宝皮肤比较敏感，想认真试用两周后写一篇详细的试用报告。",
    "一直在关注这个品牌，希望能第一时间体验新品并分享真实感受。",
    "家里两个孩子，用量大，想试试效果再决定要不要囤货。",
    "平时喜欢写测评，会拍图认真记录使用前后的变化。",
    "朋友推荐过，想亲自试一试，试用后会在社区里分享心得。",
)


@dataclass
class Ctx:
    now: object
    brands: list  # commerce brands (own store, own published products), by id
    staff_of: dict[int, object]
    products_of: dict[int, list]
    consumers: list
    made: dict = field(default_factory=dict)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def _address(user) -> dict:
    return {"name": (user.nickname or user.username)[:20], "phone": f"139{user.pk:08d}"[-11:],
            "province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": f"文三路 {100 + user.pk} 号"}


def _pay(user, order) -> None:
    """Pay with the dummy gateway's verified success notification, as tribe/simulate.py does."""
    from tribe.payments.gateways.dummy import signed_body
    from tribe.payments.services import handle_notification, start_payment

    payment, _ = start_payment(user, order.pk, "dummy")
    handle_notification("dummy", {}, signed_body(payment.out_trade_no, payment.amount, True,
                                                 "DEMO" + payment.out_trade_no))


def _context() -> Ctx:
    staff_of, products_of, brands = {}, {}, []
    for brand in Brand.objects.order_by("id"):
        products = list(Product.objects.published().filter(store__brand=brand, brand=brand).order_by("id")[:40])
        membership = (BrandMembership.objects.filter(brand=brand).select_related("user")
                      .order_by("role", "id").first())
        if products and membership is not None:
            brands.append(brand)
            staff_of[brand.pk] = membership.user
            products_of[brand.pk] = products
    consumers = list(User.objects.filter(is_staff=False, is_promoter=False, brand_memberships__isnull=True)
                     .order_by("id"))
    return Ctx(now=timezone.now(), brands=brands, staff_of=staff_of, products_of=products_of, consumers=consumers)


def _skus(ctx: Ctx, brand, *, min_price: Decimal = Decimal("10.00"), min_stock: int = 10) -> list[Sku]:
    """Active SKUs of the brand's published products, one per product, in catalogue order."""
    found = []
    for product in ctx.products_of[brand.pk]:
        sku = (product.skus.filter(is_active=True, price__gte=min_price, stock__gte=min_stock)
               .order_by("id").first())
        if sku is not None:
            found.append(sku)
    return found


def _brand_for(ctx: Ctx, n: int):
    """Spread the single-campaign plays over the brands, so several stations show one."""
    return ctx.brands[n % len(ctx.brands)]


# ---- the plays ------------------------------------------------------------------------------------------------


def _coupons(ctx: Ctx, rng: random.Random) -> None:
    from tribe.coupons import services

    window = {"starts_at": ctx.now - timedelta(hours=1), "ends_at": ctx.now + timedelta(days=30), "valid_days": 15}
    templates = []
    for i, brand in enumerate(ctx.brands):
        staff = ctx.staff_of[brand.pk]
        threshold = rng.choice([99, 129, 199])
        specs = [
            {"title": f"满{threshold}减{threshold // 10 + 5}", "benefit": "amount_off", "threshold": f"{threshold}.00",
             "amount": f"{threshold // 10 + 5}.00", "total_quantity": 200, "per_user_limit": 1},
            {"title": "全店9折，最高减30元", "benefit": "percent_off", "percent_off": 10, "max_discount": "30.00",
             "threshold": "0", "total_quantity": 300, "per_user_limit": 2, "stackable": True},
        ]
        if i % 2 == 0 or len(ctx.brands) < 3:
            specs.append({"title": "满59包邮", "benefit": "free_shipping", "threshold": "59.00",
                          "total_quantity": 500, "per_user_limit": 1, "stackable": True})
        made = []
        for spec in specs:
            template = services.create_template(staff, brand, {**spec, **window})
            made.append(services.move_template(staff, template, "start"))
        templates += made
        for user in rng.sample(ctx.consumers, min(3, len(ctx.consumers))):
            services.claim(user, rng.choice(made).pk)
    ctx.made["coupon_templates"] = [t.pk for t in templates]


def _loyalty(ctx: Ctx, rng: random.Random) -> None:
    from tribe.loyalty import services, tiers
    from tribe.loyalty.models import Tier

    member_tiers = list(Tier.objects.filter(is_active=True, rank__gte=1).order_by("rank")[:2])
    for brand in ctx.brands:
        staff = ctx.staff_of[brand.pk]
        for sku in _skus(ctx, brand, min_stock=1)[:3]:
            for n, tier in enumerate(member_tiers):
                price = _money(sku.price * (Decimal("0.95") - Decimal("0.05") * n))
                tiers.set_tier_price(staff, brand, sku_id=sku.pk, tier_id=tier.pk, price=price)
    for user in rng.sample(ctx.consumers, min(5, len(ctx.consumers))):
        services.sign_in(user)


def _groupbuy(ctx: Ctx, rng: random.Random) -> None:
    from tribe.groupbuy import groups, services

    for i, brand in enumerate(ctx.brands):
        staff = ctx.staff_of[brand.pk]
        skus = _skus(ctx, brand, min_stock=10)
        if not skus:
            continue
        chosen = skus[rng.randrange(min(3, len(skus)))]
        product = chosen.product
        prices = {}
        for sku in product.skus.filter(is_active=True, price__gte=Decimal("10.00"), stock__gte=10).order_by("id"):
            price = _money(sku.price * Decimal("0.80"))
            prices[sku.pk] = (price, _money(price * Decimal("0.90")) if i % 2 else None)
        size = 2 + i % 2
        deal = services.create_deal(staff, brand, {
            "title": f"{product.name[:40]} {size}人团", "product_id": product.pk, "prices": prices,
            "group_size": size, "hours": 72, "per_user_limit": 2,
            "starts_at": ctx.now - timedelta(hours=1), "ends_at": ctx.now + timedelta(days=14)})
        deal = services.move_deal(staff, deal, "start")
        people = rng.sample(ctx.consumers, min(len(ctx.consumers), size + 1))
        if len(people) < 2:
            continue
        if i < 2 and len(people) >= size + 1:  # a completed group: every seat opened/joined and paid
            leader, *joiners = people[1:size + 1]
            order = groups.open_group(leader, deal.pk, sku_id=chosen.pk, address=_address(leader),
                                      idempotency_key=f"demo-gb-open-{deal.pk}-{leader.pk}")
            _pay(leader, order)
            group_id = _group_of(order)
            for user in joiners:
                joined = groups.join_group(user, group_id, sku_id=chosen.pk, address=_address(user),
                                           idempotency_key=f"demo-gb-join-{group_id}-{user.pk}")
                _pay(user, joined)
        leader = people[0]  # an open group with its leader's seat paid: visitors can join it
        order = groups.open_group(leader, deal.pk, sku_id=chosen.pk, address=_address(leader),
                                  idempotency_key=f"demo-gb-open-{deal.pk}-{leader.pk}")
        _pay(leader, order)


def _group_of(order) -> int:
    from tribe.groupbuy.models import GroupMember

    return GroupMember.objects.filter(order=order).values_list("group_id", flat=True).get()


def _bargain(ctx: Ctx, rng: random.Random) -> None:
    from tribe.bargain import services

    brand = _brand_for(ctx, 1)
    staff = ctx.staff_of[brand.pk]
    skus = _skus(ctx, brand, min_price=Decimal("30.00"), min_stock=5) or _skus(ctx, brand, min_stock=5)
    sku = rng.choice(skus[:5])
    campaign = services.save_campaign(staff, brand, {
        "title": f"好友帮砍：{sku.product.name[:40]}", "sku_id": sku.pk,
        "floor_price": str(_money(sku.price * Decimal("0.50"))), "helps_needed": 6, "hours": 72,
        "buy_rule": "any", "new_user_days": 7, "new_user_weight": "2.00", "per_user_limit": 1,
        "helper_daily_limit": 5, "starts_at": ctx.now - timedelta(hours=1), "ends_at": ctx.now + timedelta(days=14)})
    services.move_campaign(staff, campaign, "start")
    initiator, *friends = rng.sample(ctx.consumers, min(len(ctx.consumers), 4))
    bargain = services.start_bargain(initiator, campaign.pk)
    for friend in friends:
        services.help_bargain(friend, bargain.pk, rng=rng)


def _flashsale(ctx: Ctx, rng: random.Random) -> None:
    from tribe.flashsale import services

    brand = _brand_for(ctx, 2)
    staff = ctx.staff_of[brand.pk]
    skus = _skus(ctx, brand, min_stock=12)
    picked = rng.sample(skus, min(4, len(skus)))
    today_left = timezone.localtime(ctx.now).replace(hour=23, minute=59, second=0, microsecond=0) - ctx.now
    # running now, until the end of the local day (at least two hours); the next slot later today
    running_end = ctx.now + max(today_left, timedelta(hours=2))
    later = min(timedelta(hours=3), max(today_left / 3, timedelta(minutes=10)))
    slots = [("今日限时秒杀", ctx.now - timedelta(minutes=30), running_end, picked[:2]),
             ("下一场秒杀", ctx.now + later, ctx.now + later + timedelta(hours=2), picked[2:4] or picked[:1])]
    for title, starts_at, ends_at, skus_here in slots:
        sale = services.create_sale(staff, brand, title=title, starts_at=starts_at, ends_at=ends_at,
                                    description="限时限量，每人限购 1 件，售完即止。")
        for sku in skus_here:
            services.add_item(staff, sale, sku_id=sku.pk, flash_price=str(_money(sku.price * Decimal("0.60"))),
                              quantity=min(10, sku.stock // 3), per_user_limit=1)
        services.start_sale(staff, sale)


def _lottery(ctx: Ctx, rng: random.Random) -> None:
    from tribe.coupons import services as coupons
    from tribe.lottery import draws, services

    brand = _brand_for(ctx, 3)
    staff = ctx.staff_of[brand.pk]
    window = {"starts_at": ctx.now - timedelta(hours=1), "ends_at": ctx.now + timedelta(days=14)}
    template = coupons.create_template(staff, brand, {
        "title": "抽奖专享 满49减8", "benefit": "amount_off", "threshold": "49.00", "amount": "8.00",
        "total_quantity": 100, "per_user_limit": 5, "claimable": False, "valid_days": 30, **window})
    coupons.move_template(staff, template, "start")
    lottery = services.create_lottery(staff, brand, title=f"{brand.name} 幸运大转盘",
                                      description="下单满 99 元或每日分享，即可获得抽奖机会。",
                                      order_min_amount="99.00", share_enabled=True, daily_limit=3,
                                      claim_days=7, **window)
    sku = rng.choice(_skus(ctx, brand, min_stock=5)[:5])
    services.add_prize(staff, lottery, kind="goods", name=sku.product.name[:60], weight=20, stock=3, sku_id=sku.pk)
    services.add_prize(staff, lottery, kind="coupon", name="满49减8 优惠券", weight=250, stock=100,
                       coupon_template_id=template.pk)
    services.add_prize(staff, lottery, kind="points", name="20 积分", weight=400, stock=500, points=20)
    services.move(staff, lottery, "start")
    for user in rng.sample(ctx.consumers, min(4, len(ctx.consumers))):
        draws.share(user, lottery.pk)
        draws.draw(user, lottery.pk, "share")


def _trials(ctx: Ctx, rng: random.Random) -> None:
    from tribe.campaigns.services import move
    from tribe.trials import services

    brand = _brand_for(ctx, 4)
    staff = ctx.staff_of[brand.pk]
    sku = rng.choice(_skus(ctx, brand, min_stock=10)[:5])
    trial = services.save_trial(staff, brand, title=f"{sku.product.name[:60]} 免费试用",
                                description="免费寄送正装，收货后 7 天内提交带图试用报告。", sku_id=sku.pk,
                                units=5, starts_at=ctx.now - timedelta(hours=1), ends_at=ctx.now + timedelta(days=7),
                                report_days=7, core_fans_first=True)
    move(staff, trial, "start")
    for user in rng.sample(ctx.consumers, min(4, len(ctx.consumers))):
        services.apply(user, trial, reason=rng.choice(REASONS), address=_address(user))


def _presale(ctx: Ctx, rng: random.Random) -> None:
    from tribe.presale import services

    brand = _brand_for(ctx, 5)
    staff = ctx.staff_of[brand.pk]
    sku = rng.choice(_skus(ctx, brand, min_price=Decimal("20.00"), min_stock=20)[:5])
    price = _money(sku.price * Decimal("0.90"))
    deposit = max(Decimal("1.00"), (price * Decimal("0.10")).quantize(Decimal("1")))
    presale = services.create_presale(staff, brand, {
        "title": f"{sku.product.name[:60]} 预售", "description": "付定金锁定优惠价，定金抵扣翻倍。",
        "sku_id": sku.pk, "price": str(price), "deposit": str(deposit),
        "deposit_value": str(min(deposit * 2, price - CENT)),
        "starts_at": ctx.now - timedelta(hours=1), "ends_at": ctx.now + timedelta(days=3),
        "balance_starts_at": ctx.now + timedelta(days=3), "balance_ends_at": ctx.now + timedelta(days=5),
        "ship_date": timezone.localdate(ctx.now + timedelta(days=7)), "refund_rule": "refundable",
        "quantity_cap": min(50, sku.stock // 2), "per_user_limit": 2})
    services.move_presale(staff, presale, "start")
    user = rng.choice(ctx.consumers)
    order = services.place_deposit(user, presale.pk, 1, address=_address(user),
                                   idempotency_key=f"demo-presale-{presale.pk}-{user.pk}")
    _pay(user, order)


STEPS: tuple[tuple[str, Callable[[Ctx, random.Random], None]], ...] = (
    ("coupons", _coupons),
    ("loyalty", _loyalty),
    ("groupbuy", _groupbuy),
    ("bargain", _bargain),
    ("flashsale", _flashsale),
    ("lottery", _lottery),
    ("trials", _trials),
    ("presale", _presale),
)


def seed_plays(seed: int) -> dict:
    """Create and play the demo's marketing campaigns; returns counts computed from the rows."""
    ctx = _context()
    refused: list[str] = []
    if ctx.brands and ctx.consumers:
        for name, step in STEPS:
            try:
                with transaction.atomic():  # a savepoint: a refused play leaves nothing half-written
                    step(ctx, rng_for(seed, f"plays:{name}"))
            except Exception:  # noqa: BLE001 — one play must not break the demo; logged and counted
                log.exception("demo play %s was refused; the demo goes on without it", name)
                refused.append(name)
    else:
        refused.append("no brands or consumers")
    return {**play_counts(), "refused": len(refused)}


def play_counts() -> dict[str, int]:
    """What the demo's plays hold, counted from their tables (the database held no plays before the demo)."""
    from tribe.bargain.models import Bargain, BargainCampaign, BargainHelp
    from tribe.coupons.models import CouponTemplate, UserCoupon
    from tribe.flashsale.models import FlashItem, FlashSale
    from tribe.groupbuy.models import Group, GroupBuy, GroupMember
    from tribe.lottery.models import Draw, Lottery, Prize
    from tribe.loyalty.models import SignIn, TierPrice
    from tribe.presale.models import Presale, PresaleOrder
    from tribe.trials.models import Trial, TrialApplication

    return {
        "coupon_templates": CouponTemplate.objects.count(),
        "coupons_claimed": UserCoupon.objects.filter(source=UserCoupon.Source.CLAIM).count(),
        "tier_prices": TierPrice.objects.count(),
        "sign_ins": SignIn.objects.count(),
        "group_deals": GroupBuy.objects.count(),
        "groups_open": Group.objects.filter(state=Group.State.OPEN).count(),
        "groups_complete": Group.objects.filter(state=Group.State.COMPLETE).count(),
        "group_members_paid": GroupMember.objects.filter(state=GroupMember.State.PAID).count(),
        "bargain_campaigns": BargainCampaign.objects.count(),
        "bargains": Bargain.objects.count(),
        "bargain_helps": BargainHelp.objects.count(),
        "flash_sales": FlashSale.objects.count(),
        "flash_items": FlashItem.objects.count(),
        "lotteries": Lottery.objects.count(),
        "lottery_prizes": Prize.objects.count(),
        "lottery_draws": Draw.objects.count(),
        "trials": Trial.objects.count(),
        "trial_applications": TrialApplication.objects.count(),
        "presales": Presale.objects.count(),
        "presale_deposits_paid": PresaleOrder.objects.filter(state="deposit_paid").count(),
    }
