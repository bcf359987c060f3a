"""The home feed read path: gather candidates, filter, rank, cap promotions, paginate.

Candidates (each a bounded, indexed query):
1. the reader's inbox (fan-out entries; from Redis when cached, else FeedEntry), newest INBOX_WINDOW;
2. merge at read: items not fanned out by followed large authors and followed brands, and posts of the
   reader's current circles, newest MERGE_WINDOW;
3. keywords the reader follows: matching visible posts and newly listed products.
Filters: removed posts, circles the reader is not (or no longer) an active member of, blocked users (either
way), muted users and brands, muted keywords, reviews whose author hides reviews from friends, promotions
unless the reader follows the brand AND opted in to promotions.
Ranking: friends' real experiences first (a friend's review, or post with photos or products), then friends'
other posts, circles, followed 达人/users and the reader's own posts, keywords and brands, promotions last;
within a weight, newer first (score = ln(weight) − age / half-life · ln 2).
Promotions: at most 1 in any 10 items (a promotion needs 9 other items before it since the previous one) and
at most PROMO_PER_DAY distinct promotions a day (Asia/Shanghai), counted from PromoImpression rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tribe.catalog.models import Product
from tribe.circles.models import Circle, Membership
from tribe.content.models import ReviewImage
from tribe.posts.models import PostImage, PostProduct
from tribe.social.models import Block, Follow, Mute

from . import timeline
from .models import FeedEntry, FeedItem, KeywordRule, PromoImpression

INBOX_WINDOW = 300
MERGE_WINDOW = 300
KEYWORD_POSTS = 20
KEYWORD_PRODUCTS = 3
HALF_LIFE_HOURS = 48
PROMO_SPACING = 10
W = {"friend_experience": 5.0, "friend": 4.0, "circle": 3.0, "following": 3.0, "mine": 3.0, "keyword": 2.0,
     "brand": 2.0, "product": 1.5, "promotion": 1.0}


def promo_per_day() -> int:
    return int(getattr(settings, "FEED_PROMO_PER_DAY", 3))


@dataclass
class Card:
    kind: str  # "post", "review" or "product"
    obj: object
    reason: str
    why: str
    score: float
    created_at: object
    item_id: int | None = None
    is_promotion: bool = False


@dataclass
class FeedPage:
    cards: list[Card]
    count: int
    page: int
    page_size: int
    promotions_shown: int = 0
    sources: dict = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))


@dataclass
class Context:
    user: object
    followed_users: set
    followed_brands: set
    friends: set
    circles: dict  # id -> name
    blocked: set
    muted_users: set
    muted_brands: set
    follow_words: list
    mute_words: list


def context_for(user) -> Context:
    follows = list(Follow.objects.filter(follower=user).values_list("followed_user_id", "brand_id"))
    followed_users = {u for u, _b in follows if u}
    followed_brands = {b for _u, b in follows if b}
    friends = set(Follow.objects.filter(followed_user=user, follower_id__in=Follow.objects.filter(
        follower=user, followed_user__isnull=False).values("followed_user_id")).values_list("follower_id", flat=True))
    circles = dict(Circle.objects.filter(memberships__user=user, memberships__state=Membership.State.ACTIVE)
                   .values_list("id", "name"))
    blocked = set()
    for a, b in Block.objects.filter(Q(blocker=user) | Q(blocked=user)).values_list("blocker_id", "blocked_id"):
        blocked.add(b if a == user.pk else a)
    muted_users, muted_brands = set(), set()
    for u, b in Mute.objects.filter(user=user).values_list("muted_user_id", "brand_id"):
        (muted_users.add(u) if u else muted_brands.add(b))
    follow_words, mute_words = [], []
    for word, mute in KeywordRule.objects.filter(user=user).values_list("word", "mute"):
        (mute_words if mute else follow_words).append(word)
    return Context(user, followed_users, followed_brands, friends, circles, blocked, muted_users, muted_brands,
                   follow_words, mute_words)


def _inbox_ids(user) -> list[int]:
    cached = timeline.read(user.pk, INBOX_WINDOW)
    if cached is not None:
        return cached
    rows = list(FeedEntry.objects.filter(user=user).order_by("-created_at", "-item_id")
                .values_list("item_id", "created_at")[:INBOX_WINDOW])
    if timeline.enabled():
        timeline.fill(user.pk, [(i, t.timestamp()) for i, t in rows])
    return [i for i, _t in rows]


def _merged_ids(user, ctx: Context) -> list[int]:
    q = Q(fanned_out=False, circle__isnull=True, brand__isnull=True,
          author_id__in=Follow.objects.filter(follower=user, followed_user__isnull=False).values("followed_user_id"))
    if ctx.followed_brands:
        q |= Q(fanned_out=False, circle__isnull=True, brand_id__in=ctx.followed_brands)
    if ctx.circles:
        q |= Q(circle_id__in=list(ctx.circles))
    return list(FeedItem.objects.filter(q).order_by("-created_at", "-id").values_list("id", flat=True)[:MERGE_WINDOW])


def _keyword_ids(ctx: Context) -> dict[int, str]:
    out: dict[int, str] = {}
    public = Q(post__circle__isnull=True) | Q(post__circle__visibility=Circle.Visibility.PUBLIC) | Q(
        post__circle_id__in=list(ctx.circles))
    for word in ctx.follow_words:
        ids = (FeedItem.objects.filter(public, kind=FeedItem.Kind.POST, post__removed=False,
                                       post__text__icontains=word)
               .order_by("-created_at", "-id").values_list("id", flat=True)[:KEYWORD_POSTS])
        for item_id in ids:
            out.setdefault(item_id, word)
    return out


def _keyword_products(ctx: Context) -> list[tuple[Product, str]]:
    from tribe.search.services import _id_subquery
    from tribe.search.tokenizer import query_groups

    out, seen = [], set()
    for word in ctx.follow_words:
        groups = query_groups(word)
        if not groups:
            continue
        for product in (Product.objects.published().for_cards().filter(id__in=_id_subquery(groups))
                        .order_by("-created_at", "-id")[:KEYWORD_PRODUCTS]):
            if product.pk not in seen:
                seen.add(product.pk)
                out.append((product, word))
    return out


@dataclass
class Row:
    """What ranking needs about a candidate, read in one light query (no text, no images)."""

    id: int
    kind: str
    author_id: int
    brand_id: int | None
    circle_id: int | None
    is_promotion: bool
    has_media: bool
    created_at: object
    shows_reviews: bool
    is_promoter: bool
    removed: bool
    brands: set = field(default_factory=set)
    text: str = ""


def _rows(ids) -> list[Row]:
    fields = ("id", "kind", "author_id", "brand_id", "circle_id", "is_promotion", "has_media", "created_at",
              "author__show_reviews_to_friends", "author__is_promoter", "post__removed")
    return [Row(*values[:10], bool(values[10])) for values in FeedItem.objects.filter(id__in=ids).values_list(*fields)]


def _add_mute_data(rows: list[Row], ctx: Context) -> None:
    """Texts and tagged brands, only when the reader mutes words or brands (two more queries)."""
    by_id = {r.id: r for r in rows}
    post_rows = {}
    for item_id, post_id, post_text, review_text, product_name, product_brand in FeedItem.objects.filter(
            id__in=list(by_id)).values_list("id", "post_id", "post__text", "review__text", "review__product__name",
                                            "review__product__brand_id"):
        row = by_id[item_id]
        row.text = (post_text or review_text or "") + " " + (product_name or "")
        row.brands = {row.brand_id, product_brand} - {None}
        if post_id:
            post_rows[post_id] = row
    for post_id, name, brand_id in PostProduct.objects.filter(post_id__in=list(post_rows)).values_list(
            "post_id", "product__name", "product__brand_id"):
        post_rows[post_id].text += " " + name
        post_rows[post_id].brands.add(brand_id)
    for row in rows:
        row.text = row.text.lower()


def _keep(row: Row, ctx: Context) -> bool:
    user = ctx.user
    if row.kind == FeedItem.Kind.POST and row.removed:
        return False
    if row.circle_id is not None and row.circle_id not in ctx.circles:
        return False
    if row.author_id in ctx.blocked or row.author_id in ctx.muted_users:
        return False
    if row.kind == FeedItem.Kind.REVIEW and row.author_id != user.pk and not row.shows_reviews:
        return False
    if ctx.muted_brands and row.brands & ctx.muted_brands:
        return False
    if ctx.mute_words and any(w.lower() in row.text for w in ctx.mute_words):
        return False
    if row.is_promotion and row.author_id != user.pk:
        if not (user.allow_promotions and row.brand_id in ctx.followed_brands):
            return False
    return True


def _reason(row: Row, ctx: Context, keyword: str | None) -> str:
    if row.is_promotion and row.author_id != ctx.user.pk:
        return "promotion"
    if row.author_id == ctx.user.pk:
        return "mine"
    if row.author_id in ctx.friends:
        return "friend_experience" if row.has_media else "friend"
    if row.circle_id is not None:
        return "circle"
    if row.author_id in ctx.followed_users:
        return "following"
    if row.brand_id in ctx.followed_brands:
        return "brand"
    if keyword:
        return "keyword"
    return "following"


def _why(reason: str, item: FeedItem, ctx: Context, keyword: str | None) -> str:
    name = item.author.display_name
    if reason == "promotion":
        return _("推广 · 因为你关注了品牌 %(brand)s 并同意接收推广") % {"brand": item.brand.name}
    if reason == "mine":
        return _("你发布的")
    if reason == "friend_experience":
        return _("你的好友 %(name)s 分享了真实体验") % {"name": name}
    if reason == "friend":
        return _("你的好友 %(name)s") % {"name": name}
    if reason == "circle":
        return _("来自你加入的圈子「%(circle)s」") % {"circle": ctx.circles[item.circle_id]}
    if reason == "brand":
        return _("因为你关注了品牌 %(brand)s") % {"brand": item.brand.name}
    if reason == "keyword":
        return _("因为你关注了关键词「%(word)s」") % {"word": keyword}
    if item.author.is_promoter:
        return _("因为你关注了达人 %(name)s") % {"name": name}
    return _("因为你关注了 %(name)s") % {"name": name}


def _load(ids) -> dict[int, FeedItem]:
    """Everything a card shows, for one page of items."""
    return {item.pk: item for item in (
        FeedItem.objects.filter(id__in=ids)
        .select_related("author", "brand", "post", "post__author", "post__brand", "post__circle",
                        "review", "review__product", "review__author")
        .prefetch_related(
            Prefetch("post__images", queryset=PostImage.objects.order_by("position", "id")),
            Prefetch("post__tags", queryset=PostProduct.objects.select_related("product").order_by("position", "id")),
            Prefetch("review__images", queryset=ReviewImage.objects.order_by("position", "id")),
        )
    )}


def _score(weight: float, created_at, now) -> float:
    age_hours = max(0.0, (now - created_at).total_seconds() / 3600)
    return math.log(weight) - age_hours / HALF_LIFE_HOURS * math.log(2)


def _cap_promotions(cards: list[Card], allowed_new: int, seen_today: set) -> list[Card]:
    """Place promotions no closer than PROMO_SPACING apart (9 other items before each) and at most
    `allowed_new` promotions not already shown today. Deferred promotions wait for the next free slot."""
    out: list[Card] = []
    waiting: list[Card] = []
    since = 0  # other items since the last promotion (or the start)

    def can_place(card: Card) -> bool:
        return since >= PROMO_SPACING - 1 and (card.item_id in seen_today or allowed_new > 0)

    for card in cards:
        if card.is_promotion:
            waiting.append(card)
        else:
            out.append(card)
            since += 1
        while waiting and can_place(waiting[0]):
            promo = waiting.pop(0)
            if promo.item_id not in seen_today:
                allowed_new -= 1
                seen_today.add(promo.item_id)
            out.append(promo)
            since = 0
        waiting = [c for c in waiting if c.item_id in seen_today or allowed_new > 0]
    return out


def local_day(now=None):
    return timezone.localdate(now or timezone.now())


def build(user, *, page: int = 1, page_size: int = 20, record_promotions: bool = True) -> FeedPage:
    """Rank light rows for every candidate, then load the full objects for the requested page only."""
    now = timezone.now()
    ctx = context_for(user)
    inbox = _inbox_ids(user)
    merged = _merged_ids(user, ctx)
    keywords = _keyword_ids(ctx) if ctx.follow_words else {}
    ids = list(dict.fromkeys(inbox + merged + list(keywords)))
    rows = _rows(ids) if ids else []
    if rows and (ctx.mute_words or ctx.muted_brands):
        _add_mute_data(rows, ctx)
    cards: list[Card] = []
    for row in rows:
        if not _keep(row, ctx):
            continue
        reason = _reason(row, ctx, keywords.get(row.id))
        cards.append(Card(row.kind, None, reason, "", _score(W[reason], row.created_at, now), row.created_at,
                          row.id, reason == "promotion"))
    if ctx.follow_words:
        for product, word in _keyword_products(ctx):
            if ctx.muted_brands and product.brand_id in ctx.muted_brands:
                continue
            if any(w.lower() in product.name.lower() for w in ctx.mute_words):
                continue
            cards.append(Card("product", product, "product",
                              _("因为你关注了关键词「%(word)s」") % {"word": word},
                              _score(W["product"], product.created_at, now), product.created_at))
    cards.sort(key=lambda c: (-c.score, -c.created_at.timestamp(), c.kind, c.item_id or c.obj.pk))
    if any(c.is_promotion for c in cards):
        day = local_day(now)
        seen_today = set(PromoImpression.objects.filter(user=user, day=day).values_list("item_id", flat=True))
        cards = _cap_promotions(cards, max(0, promo_per_day() - len(seen_today)), set(seen_today))
    start = (page - 1) * page_size
    page_cards = cards[start:start + page_size]
    items = _load([c.item_id for c in page_cards if c.item_id]) if page_cards else {}
    shown_cards = []
    for card in page_cards:
        if card.item_id is None:
            shown_cards.append(card)
            continue
        item = items.get(card.item_id)
        if item is None:  # deleted between the two reads
            continue
        card.obj = item.post if item.kind == FeedItem.Kind.POST else item.review
        card.why = _why(card.reason, item, ctx, keywords.get(item.pk))
        shown_cards.append(card)
    shown = [c for c in shown_cards if c.is_promotion]
    if shown and record_promotions:
        PromoImpression.objects.bulk_create(
            [PromoImpression(user=user, item_id=c.item_id, day=local_day(now)) for c in shown],
            ignore_conflicts=True)
    return FeedPage(shown_cards, len(cards), page, page_size, len(shown),
                    {"inbox": len(inbox), "merged": len(merged), "keywords": len(keywords)})


def decorate(page: FeedPage, user) -> FeedPage:
    """Like/comment counts for the page's posts and reviews (3 queries per kind present)."""
    from tribe.posts.selectors import counts_for

    for kind in ("post", "review"):
        objs = [c.obj for c in page.cards if c.kind == kind]
        if not objs:
            continue
        counts = counts_for(kind, [o.pk for o in objs], user)
        for o in objs:
            o.like_total, o.comment_total, o.liked = (counts[o.pk]["likes"], counts[o.pk]["comments"],
                                                      counts[o.pk]["liked"])
    return page


