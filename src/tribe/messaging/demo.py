"""Demo data for messaging: a few real threads between demo consumers who are friends (mutual follows), an
"ask friends" about a product, and a customer-service chat answered by the store. Called by the demo seeder
after people, follows and products exist; everything goes through the services."""

from __future__ import annotations

import random

from tribe.brands.models import BrandMembership
from tribe.catalog.models import Product
from tribe.social.models import Follow
from tribe.social.selectors import is_blocked_between

from . import services

CHATS = [
    ("周末去逛展吗？", "好呀，几点？", "下午两点，老地方见"),
    ("上次推荐的那本书看完了", "怎么样？", "很好看，借你"),
    ("宝宝最近睡得好吗", "好多了，换了你说的那款睡袋", "那就好！"),
]
ASKS = ["这件值得买吗？有人用过吗？", "想入手这个，大家觉得怎么样？"]


def _friend_pairs(limit: int) -> list[tuple]:
    pairs, seen = [], set()
    follows = Follow.objects.filter(followed_user__isnull=False).select_related("follower", "followed_user")
    for f in follows.order_by("id")[:2000]:
        key = tuple(sorted((f.follower_id, f.followed_user_id)))
        if key in seen:
            continue
        mutual = Follow.objects.filter(follower_id=f.followed_user_id, followed_user_id=f.follower_id).exists()
        if mutual and not is_blocked_between(f.follower, f.followed_user):
            seen.add(key)
            pairs.append((f.follower, f.followed_user))
            if len(pairs) >= limit:
                break
    return pairs


def seed_demo(rng: random.Random) -> dict:
    """Returns how many threads and messages were created (0 when there are no friends to chat)."""
    made = {"threads": 0, "messages": 0}
    pairs = _friend_pairs(6)
    for a, b in pairs[:3]:
        lines = rng.choice(CHATS)
        thread = services.start_direct(a, b, text=lines[0])
        services.send(b, thread, lines[1])
        services.send(a, thread, lines[2])
        services.mark_read(a, thread)
        made["threads"] += 1
        made["messages"] += 3
    products = list(Product.objects.published().order_by("id")[:20])
    if products and len(pairs) > 3:
        asker, friend = pairs[3]
        product = rng.choice(products)
        thread = services.ask_friends(asker, product.pk, text=rng.choice(ASKS), friend_ids_=[friend.pk])
        services.send(friend, thread, "我买过，质量不错，推荐！")
        made["threads"] += 1
        made["messages"] += 2
    if products and pairs:
        buyer = pairs[0][1]
        product = products[0]
        staff = BrandMembership.objects.filter(brand_id=product.store.brand_id).select_related("user").first()
        thread = services.contact_store(buyer, product.store, text="请问这款什么时候发货？", product_id=product.pk)
        made["threads"] += 1
        made["messages"] += 1
        if staff is not None:
            services.send(staff.user, thread, "您好，付款后 48 小时内发货。")
            made["messages"] += 1
    return made
