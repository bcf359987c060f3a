"""砍价 verbs: save/move a campaign (brand staff), start a bargain, help a friend's bargain, buy at the bargained
price, and the two ways a bargain changes without a user: its order is cancelled/expired (reopen) and its
deadline passes (expire).

Locking: every change to a bargain's price happens under `select_for_update` on the bargain row, so racing
helps are serialized — each one sees the helps before it, draws from what is really left, and the cuts sum
exactly to start − floor. A helper's daily limit is counted under the helper's user row lock (two tabs helping
two different bargains at once still count each other). Starting a bargain locks the campaign row: the
per-user limit and the optional stock of bargains are read and written under that one lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tribe.brands.selectors import require_brand_staff
from tribe.campaigns import services as plays
from tribe.campaigns.models import PlayStatus
from tribe.catalog.models import Sku
from tribe.core.errors import Conflict, DomainError, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from tribe.core.money import to_money
from tribe.orders.checkout import CampaignPrice, place_direct_order
from tribe.orders.models import Order

from .cuts import draw_cut, from_fen, to_fen
from .models import Bargain, BargainCampaign, BargainHelp

User = get_user_model()
St = Bargain.State
MAX_ID = 2**63 - 1
MAX_HELPS = 100
MAX_HOURS = 24 * 30
IP_HELPS_PER_MINUTE = 30  # helps from one address a minute: a farm of fresh accounts behind one IP gets slowed
BUY_LABEL = "砍价价"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


# ---- campaigns (brand staff) --------------------------------------------------------------------------------

def _int(value, field: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(f"{field}: a whole number is expected", fields={field: "not a number"}) from None
    if not low <= number <= high:
        raise ValidationFailed(f"{field}: between {low} and {high}", fields={field: f"{low}..{high}"})
    return number


def _brand_sku(brand, sku_id) -> Sku:
    try:
        pk = int(sku_id)
    except (TypeError, ValueError):
        pk = 0
    sku = None
    if 1 <= pk <= MAX_ID:
        sku = (Sku.objects.select_related("product")
               .filter(Q(product__store__brand=brand) | Q(product__brand=brand), pk=pk).first())
    if sku is None:
        raise ValidationFailed("sku_id: not a SKU of this brand", fields={"sku_id": "unknown sku"})
    return sku


def check_campaign(brand, data: dict, campaign: BargainCampaign | None = None) -> dict:
    """Validate a campaign's settings without writing: a dict of clean model fields, or a 422 naming the field."""
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 80:
        raise ValidationFailed("title: 1–80 characters", fields={"title": "required" if not title else "max 80"})
    description = str(data.get("description") or "").strip()
    if len(description) > 500:
        raise ValidationFailed("description: at most 500 characters", fields={"description": "max 500"})
    starts_at, ends_at = plays.check_window(data.get("starts_at"), data.get("ends_at"))
    sku = _brand_sku(brand, data.get("sku_id"))
    floor = to_money(data.get("floor_price"), field="floor_price")
    helps = _int(data.get("helps_needed"), "helps_needed", 1, MAX_HELPS)
    if floor >= sku.price:
        raise ValidationFailed(f"floor_price must be below the SKU's price ¥{sku.price}",
                               fields={"floor_price": "not below the price"})
    if to_fen(sku.price - floor) < helps:
        raise ValidationFailed("each help must cut at least ¥0.01: lower the floor or need fewer helps",
                               fields={"helps_needed": "more helps than fen to cut"})
    rule = data.get("buy_rule") or BargainCampaign.BuyRule.FLOOR
    if rule not in BargainCampaign.BuyRule.values:
        raise ValidationFailed("buy_rule: floor or any", fields={"buy_rule": "unknown"})
    try:
        weight = Decimal(str(data.get("new_user_weight", "1")).strip())
    except ArithmeticError:
        weight = Decimal(0)
    if not weight.is_finite() or not Decimal(1) <= weight <= Decimal(10) or weight != weight.quantize(Decimal("0.01")):
        raise ValidationFailed("new_user_weight: 1.00 to 10.00", fields={"new_user_weight": "1..10"})
    stock = data.get("stock")
    stock = None if stock in (None, "") else _int(stock, "stock", 1, 10_000_000)
    if campaign is not None and stock is not None and stock < campaign.started:
        raise ValidationFailed(f"stock: {campaign.started} bargains were already started",
                               fields={"stock": "below started"})
    if campaign is not None and campaign.sku_id != sku.pk and campaign.started:
        raise Conflict("the SKU cannot change once bargains were started", code="sku_locked",
                       fields={"sku_id": "locked"})
    return {"title": title, "description": description, "starts_at": starts_at, "ends_at": ends_at, "sku": sku,
            "floor_price": floor, "helps_needed": helps, "buy_rule": rule,
            "hours": _int(data.get("hours", 24), "hours", 1, MAX_HOURS),
            "new_user_days": _int(data.get("new_user_days", 0), "new_user_days", 0, 365),
            "new_user_no_order": bool(data.get("new_user_no_order", False)), "new_user_weight": weight,
            "per_user_limit": _int(data.get("per_user_limit", 1), "per_user_limit", 1, 100),
            "helper_daily_limit": _int(data.get("helper_daily_limit", 5), "helper_daily_limit", 1, 100),
            "stock": stock}


def save_campaign(actor, brand, data: dict, campaign: BargainCampaign | None = None,
                  request=None) -> BargainCampaign:
    """Create (campaign=None) or edit a campaign. A running bargain keeps the floor and helps it started with
    (they are snapshotted on the bargain), so editing never changes the deal a user already holds."""
    require_brand_staff(actor, brand.pk)
    if campaign is not None and campaign.status == PlayStatus.ENDED:
        raise Conflict("an ended campaign cannot be edited", code="campaign_ended")
    fields = check_campaign(brand, data, campaign)
    with transaction.atomic():
        if campaign is None:
            campaign = BargainCampaign.objects.create(brand=brand, created_by=actor, **fields)
            plays.play_event("campaign_create", request, campaign, actor=actor)
        else:
            locked = BargainCampaign.objects.select_for_update().get(pk=campaign.pk)
            if locked.status == PlayStatus.ENDED:
                raise Conflict("an ended campaign cannot be edited", code="campaign_ended")
            if locked.sku_id != fields["sku"].pk and locked.started:
                raise Conflict("the SKU cannot change once bargains were started", code="sku_locked")
            if fields["stock"] is not None and fields["stock"] < locked.started:
                raise ValidationFailed("stock: below the bargains already started", fields={"stock": "below started"})
            for name, value in fields.items():
                setattr(locked, name, value)
            locked.save()
            campaign = locked
    return campaign


def move_campaign(actor, campaign: BargainCampaign, action: str, request=None) -> BargainCampaign:
    return plays.move(actor, campaign, action, request=request)


# ---- bargains ------------------------------------------------------------------------------------------------

def _bargain_or_404(bargain_id: int, *, lock: bool = False) -> Bargain:
    qs = Bargain.objects.select_for_update() if lock else Bargain.objects.all()
    bargain = qs.filter(pk=bargain_id).first() if 1 <= int(bargain_id) <= MAX_ID else None
    if bargain is None:
        raise NotFound(f"bargain {bargain_id} not found")
    return bargain


def start_bargain(user, campaign_id: int, *, request=None) -> Bargain:
    """Start a bargain at the SKU's list price. Refused (409) when the campaign is not live, the user reached
    the campaign's per-user limit or still has an active bargain in it, or the campaign's bargains ran out."""
    now = timezone.now()
    with transaction.atomic():
        campaign = (BargainCampaign.objects.select_for_update().filter(pk=campaign_id).first()
                    if 1 <= int(campaign_id) <= MAX_ID else None)
        if campaign is None or campaign.status == PlayStatus.DRAFT:
            raise NotFound(f"bargain campaign {campaign_id} not found")
        plays.require_live(campaign)
        mine = list(Bargain.objects.filter(campaign=campaign, initiator=user).values_list("pk", "state", "deadline"))
        active = [pk for pk, state, deadline in mine
                  if state == St.BOUGHT or (state in (St.OPEN, St.REACHED) and deadline > now)]
        if active:
            raise Conflict("you already have a bargain in this campaign", code="bargain_active",
                           fields={"bargain": active[0]})
        if len(mine) >= campaign.per_user_limit:
            raise Conflict(f"at most {campaign.per_user_limit} bargain(s) per person in this campaign",
                           code="initiation_limit", fields={"per_user_limit": campaign.per_user_limit})
        if campaign.stock is not None and campaign.started >= campaign.stock:
            raise Conflict("all bargains of this campaign were taken", code="bargain_sold_out")
        sku = Sku.objects.select_related("product").get(pk=campaign.sku_id)
        if not sku.is_active or not sku.product.published:
            raise Conflict("the product is not on sale", code="bargain_unavailable")
        if to_fen(sku.price - campaign.floor_price) < campaign.helps_needed:
            raise Conflict("the product's price is too close to the floor for this bargain",
                           code="bargain_unavailable")
        campaign.started += 1
        campaign.save(update_fields=["started", "updated_at"])
        bargain = Bargain.objects.create(
            campaign=campaign, initiator=user, start_price=sku.price, current_price=sku.price,
            floor_price=campaign.floor_price, helps_needed=campaign.helps_needed, created_at=now,
            deadline=min(now + timedelta(hours=campaign.hours), campaign.ends_at))
        plays.play_event("bargain_start", request, campaign, actor=user, obj=bargain,
                         props={"bargain": bargain.pk, "start_price": str(bargain.start_price)})
    return bargain


def is_new_user(campaign: BargainCampaign, user, now: datetime | None = None) -> bool:
    """New by the campaign's rule: registered within `new_user_days`, or (if enabled) never paid an order."""
    now = now or timezone.now()
    if campaign.new_user_weight <= 1:
        return False
    if campaign.new_user_days and user.date_joined >= now - timedelta(days=campaign.new_user_days):
        return True
    return campaign.new_user_no_order and not Order.objects.filter(user=user, paid_at__isnull=False).exists()


def _client_ip(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "") if request is not None else ""


def _check_ip_rate(request) -> None:
    ip = _client_ip(request)
    if not ip:
        return
    key = f"bargain:help:{ip}:{int(timezone.now().timestamp() // 60)}"
    cache.add(key, 0, 120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        return
    if count > IP_HELPS_PER_MINUTE:
        raise RateLimited("too many helps from this network; try again in a minute")


def _refuse_closed(bargain: Bargain, now: datetime) -> None:
    if bargain.state == St.BOUGHT:
        raise Conflict("this bargain was already bought", code="bargain_closed")
    if bargain.is_expired(now):
        raise Conflict("this bargain has expired", code="bargain_expired", fields={"deadline": str(bargain.deadline)})


def help_bargain(helper, bargain_id: int, *, request=None, rng=None) -> BargainHelp:
    """Cut a friend's bargain once. Serialized per bargain (row lock): the cut is drawn from what is left after
    every earlier help, and the last required help takes exactly the rest, so the floor is reached at the N-th
    help and the cuts sum to start − floor in fen. Extra helps after that get 409 bargain_reached."""
    if helper is None or not helper.is_authenticated:
        raise NotAuthenticated("sign in to help")
    _check_ip_rate(request)
    now = timezone.now()
    with transaction.atomic():
        bargain = _bargain_or_404(bargain_id, lock=True)
        campaign = BargainCampaign.objects.get(pk=bargain.campaign_id)
        if bargain.initiator_id == helper.pk:
            raise Conflict("you cannot help your own bargain; share it with friends", code="own_bargain")
        if BargainHelp.objects.filter(bargain=bargain, helper=helper).exists():
            raise Conflict("you already helped this bargain", code="already_helped")
        _refuse_closed(bargain, now)
        if bargain.state == St.REACHED or bargain.helps_done >= bargain.helps_needed:
            raise Conflict("this bargain already reached its floor price", code="bargain_reached")
        plays.require_live(campaign)
        # The helper's row lock makes two racing helps by one person (on different bargains) count each other.
        User.objects.select_for_update().filter(pk=helper.pk).first()
        day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        if BargainHelp.objects.filter(helper=helper, created_at__gte=day_start).count() >= \
                campaign.helper_daily_limit:
            raise RateLimited(f"at most {campaign.helper_daily_limit} helps a day; come back tomorrow",
                              code="help_limit")
        new = is_new_user(campaign, helper, now)
        left = bargain.helps_needed - bargain.helps_done
        cut = from_fen(draw_cut(to_fen(bargain.current_price - bargain.floor_price), left,
                                campaign.new_user_weight if new else 1, rng))
        bargain.helps_done += 1
        bargain.current_price -= cut
        reached = bargain.helps_done == bargain.helps_needed
        if reached:
            bargain.state = St.REACHED
        bargain.save(update_fields=["helps_done", "current_price", "state"])
        help_ = BargainHelp.objects.create(bargain=bargain, helper=helper, amount=cut, seq=bargain.helps_done,
                                           new_user=new, created_at=now)
        plays.play_event("bargain_help", request, campaign, actor=helper, obj=bargain,
                         props={"bargain": bargain.pk, "amount": str(cut), "seq": help_.seq, "new_user": new})
        if reached:
            plays.play_event("bargain_reached", request, campaign, actor=helper, obj=bargain,
                             props={"bargain": bargain.pk, "price": str(bargain.current_price)})
    return help_


def check_buy(user, bargain: Bargain, campaign: BargainCampaign, now: datetime | None = None) -> None:
    """Why the initiator may not buy now (raises), or nothing. No writes."""
    now = now or timezone.now()
    if bargain.initiator_id != user.pk:
        raise PermissionDenied("only who started the bargain can buy it", code="not_your_bargain")
    _refuse_closed(bargain, now)
    if campaign.buy_rule == BargainCampaign.BuyRule.FLOOR and bargain.state != St.REACHED:
        raise Conflict(f"buy when the floor ¥{bargain.floor_price} is reached ({bargain.helps_left} helps to go)",
                       code="floor_not_reached", fields={"helps_left": bargain.helps_left})
    plays.require_live(campaign)


def buy_bargain(user, bargain_id: int, *, idempotency_key: str, address: dict | None = None,
                address_id: int | None = None, request=None) -> Order:
    """Order the SKU at the bargained price. The bargain is re-checked and closed inside the order's transaction
    (under its row lock), so two racing buys make one order; if a help lowered the price after the buyer saw it,
    the order is refused (409 price_changed) rather than charged at a price the buyer did not see. A repeated
    call with the same idempotency key returns the first order."""
    bargain = _bargain_or_404(bargain_id)
    if bargain.initiator_id != user.pk:
        raise PermissionDenied("only who started the bargain can buy it", code="not_your_bargain")
    if bargain.order_id is not None:
        order = Order.objects.filter(pk=bargain.order_id, user=user, idempotency_key=idempotency_key).first()
        if order is not None:
            return order
    campaign = BargainCampaign.objects.get(pk=bargain.campaign_id)
    check_buy(user, bargain, campaign)
    price = bargain.current_price

    def close(order: Order) -> None:
        now = timezone.now()
        locked = _bargain_or_404(bargain.pk, lock=True)
        check_buy(user, locked, campaign, now)
        if locked.current_price != price:
            raise Conflict("the price changed while you were buying; look again", code="price_changed",
                           fields={"price": str(locked.current_price)})
        moved = Bargain.objects.filter(pk=locked.pk, state__in=[St.OPEN, St.REACHED], order__isnull=True).update(
            state=St.BOUGHT, order=order, bought_at=now)
        if moved != 1:
            raise Conflict("this bargain was already bought", code="bargain_closed")
        plays.play_event("bargain_buy", request, campaign, actor=user, obj=locked,
                         props={"bargain": locked.pk, "order": order.number, "price": str(price)})

    return place_direct_order(user, campaign.sku_id, 1, address=address, address_id=address_id,
                              idempotency_key=idempotency_key, request=request,
                              campaign=CampaignPrice(campaign.code, BUY_LABEL, price), before_commit=close)


def reopen_for_order(order: Order) -> Bargain | None:
    """The bargain's order was cancelled or expired unpaid: the bargain may be bought again until its deadline
    (its price and helps stay). Runs inside the order's transaction."""
    bargain = Bargain.objects.select_for_update().filter(order=order, state=St.BOUGHT).first()
    if bargain is None:
        return None
    if timezone.now() >= bargain.deadline:
        bargain.state = St.EXPIRED
    else:
        bargain.state = St.REACHED if bargain.helps_done >= bargain.helps_needed else St.OPEN
    bargain.order = None
    bargain.bought_at = None
    bargain.save(update_fields=["state", "order", "bought_at"])
    return bargain


def expire_due(now: datetime | None = None) -> int:
    """The periodic sweep: open/reached bargains past their deadline become expired (one guarded UPDATE; a buy
    holding the row lock finishes first and then no longer matches)."""
    now = now or timezone.now()
    return Bargain.objects.filter(state__in=[St.OPEN, St.REACHED], deadline__lte=now).update(state=St.EXPIRED)
