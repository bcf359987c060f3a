"""Demo data for fan communities: a community for a few demo brands, demo consumers who join (those with
activity about the brand first), and a product poll with real votes by members who may vote. Everything goes
through the services, and tiers are computed from the consumers' real rows: if no member is a core fan yet,
the poll is opened to all members (core_only=False) rather than faking anyone's standing."""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from tribe.brands.models import Brand, BrandMembership
from tribe.core.errors import DomainError

from . import selectors, services
from .models import Tier

POLLS = [
    ("下一季新品，你最想要哪种颜色？", ["雾霾蓝", "燕麦白", "焦糖棕", "墨绿"]),
    ("你希望我们优先改进哪一点？", ["包装更环保", "尺码更全", "发货更快"]),
]
MEMBERS_PER_BRAND = 8


def _brands(limit: int) -> list[tuple[Brand, object]]:
    """Brands with published products and a staff member to act for them."""
    out = []
    qs = (Brand.objects.filter(is_active=True)
          .annotate(n=Count("products", filter=Q(products__published=True))).filter(n__gt=0).order_by("id"))
    for brand in qs[:20]:
        staff = BrandMembership.objects.filter(brand=brand).select_related("user").order_by("id").first()
        if staff is not None:
            out.append((brand, staff.user))
        if len(out) >= limit:
            break
    return out


def _candidates(brand: Brand, rng: random.Random) -> list:
    """Consumers (not staff), those who bought or reviewed the brand's products first."""
    User = get_user_model()
    consumers = User.objects.filter(is_active=True, is_staff=False, is_superuser=False, brand_memberships__isnull=True)
    scope = Q(orders__lines__product__brand=brand) | Q(reviews__product__brand=brand)
    active = list(consumers.filter(scope).distinct().order_by("id")[:MEMBERS_PER_BRAND])
    rest = list(consumers.exclude(pk__in=[u.pk for u in active]).order_by("id")[:50])
    rng.shuffle(rest)
    return (active + rest)[:MEMBERS_PER_BRAND]


def seed_demo(rng: random.Random) -> dict:
    made = {"communities": 0, "members": 0, "polls": 0, "votes": 0}
    for i, (brand, staff) in enumerate(_brands(3)):
        community = services.save_community(
            staff, brand, name=f"{brand.name}粉丝社区", intro=f"{brand.name}的老朋友们在这里交流心得、参与新品共创。",
            active_threshold=20, core_threshold=60)
        made["communities"] += 1
        members = []
        for user in _candidates(brand, rng):
            try:
                services.join_fans(user, community)
            except DomainError:
                continue
            members.append(user)
        made["members"] += len(members)
        if i >= len(POLLS) or not members:
            continue
        tiers = {m.user_id: m.tier for m in selectors.members_with_points(community)}
        core = [u for u in members if tiers.get(u.pk) == Tier.CORE]
        question, options = POLLS[i]
        poll = services.create_poll(staff, community, question=question, options=options, core_only=bool(core))
        made["polls"] += 1
        voters = core or members[: max(1, len(members) // 2)]
        option_ids = list(poll.options.values_list("pk", flat=True))
        for user in voters:
            try:
                services.vote(user, poll, [rng.choice(option_ids)])
            except DomainError:
                continue
            made["votes"] += 1
    return made
