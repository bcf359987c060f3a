"""Writes the demo plan into an empty database, through the same services the console and API use.

Catalogue rows go through catalog/brands services (create_store, create_product, add_product_image,
place_product, create_bundle, …), so the demo exercises validation, product summaries and the search index
exactly as real data does. People are inserted in bulk without `register_user`, on purpose: registering
would record "register" events, and the demo invents no activity — no events, no views; the only sales are the
marketing plays' real orders (a group leader's paid order, a presale deposit), placed and paid through the services.
All demo logins share one password, hashed once (hashing 70 times would take most of the seeding time).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tribe.brands.models import Brand, BrandMembership, BrandNews, Store
from tribe.brands.services import add_image, add_news, add_staff, add_video, create_store, set_station_image
from tribe.catalog.models import Category, Product
from tribe.catalog.services import add_product_image, create_bundle, create_product, place_product
from tribe.core.errors import Conflict

from . import images
from .data import BRANDS, BUNDLES, CATEGORIES, DEMO_PASSWORD, PLACEMENTS, PROMOTERS, STORES
from .plan import ProductPlan, plan_consumers, plan_products, rng_for

DEFAULT_SEED = 42
DEFAULT_PRODUCTS = 240
DEFAULT_CONSUMERS = 60
OPERATOR_USERNAME = "operator"
DEMO_BRAND_SLUGS = tuple(b.slug for b in BRANDS)

User = get_user_model()


@dataclass
class SeedSummary:
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, username, who)
    seconds: float = 0.0


def is_seeded() -> bool:
    """The demo is in this database if any of its brands is."""
    return Brand.objects.filter(slug__in=DEMO_BRAND_SLUGS).exists()


def staff_username(brand_slug: str, role: str) -> str:
    return f"{brand_slug}-{'owner' if role == 'owner' else 'ops'}"


def demo_usernames(seed: int, consumers: int) -> list[str]:
    names = [OPERATOR_USERNAME, *(p[0] for p in PROMOTERS)]
    names += [staff_username(b.slug, role) for b in BRANDS for role in b.staff]
    names += [p.username for p in plan_consumers(seed, consumers)]
    return names


def check_can_seed(seed: int = DEFAULT_SEED, consumers: int = DEFAULT_CONSUMERS) -> None:
    """The demo goes into an empty catalogue only: it never mixes with real products or real accounts."""
    products = Product.objects.count()
    if products:
        raise Conflict(
            f"the database already has {products} products; the demo seeds an empty database only",
            code="not_empty",
        )
    taken = sorted(
        User.objects.filter(username__in=demo_usernames(seed, consumers)).values_list("username", flat=True)
    )
    if taken:
        raise Conflict(f"demo usernames already exist: {', '.join(taken[:5])}", code="not_empty")


def seed_demo(
    seed: int = DEFAULT_SEED,
    *,
    products: int = DEFAULT_PRODUCTS,
    consumers: int = DEFAULT_CONSUMERS,
    log: Callable[[str], None] | None = None,
) -> SeedSummary:
    """Seed brands, stores, categories, products, bundles, placements and people in one transaction."""
    say = log or (lambda message: None)
    started = time.monotonic()
    check_can_seed(seed, consumers)
    summary = SeedSummary(seed=seed)
    password = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        operator = User.objects.create(
            username=OPERATOR_USERNAME,
            nickname="平台运营",
            is_staff=True,
            is_superuser=True,
            password=password,
        )
        summary.logins.append(("platform operator", operator.username, "平台运营（可进入 /admin/）"))
        say("brands and stores")
        brands = _brands(operator, seed, password, summary)
        stores = {
            s.slug: create_store(
                operator, brands[s.brand], name=s.name, slug=s.slug, description=s.description
            )
            for s in STORES
        }
        categories = _categories()
        say(f"{products} products")
        plans = plan_products(seed, products)
        created = _products(operator, plans, brands, stores, categories)
        say("placements and bundles")
        placements = _placements(operator, seed, brands, created)
        bundles = _bundles(operator, seed, created)
        say(f"{consumers} consumers")
        people = _people(seed, consumers, password, summary)
        say("follows, circles, posts, fan communities, albums, guides, questions, messages")
        from tribe.core.events import suppress_events

        from .plays import seed_plays
        from .social import seed_apps, seed_social

        with suppress_events():  # demo content, not user activity: no events for the analytics
            social_counts = seed_social(seed)
            app_counts = seed_apps(seed)
            play_counts = seed_plays(seed)
    summary.counts = {
        "brands": len(brands),
        "stores": len(stores),
        "categories": len(categories),
        "products": len(created),
        "skus": sum(len(p.skus) for p, _ in created),
        "images": sum(p.images for p, _ in created),
        "bundles": bundles,
        "placements": placements,
        "consumers": people,
        "promoters": len(PROMOTERS),
        **social_counts,
        **{f"{app}_{k}": v for app, counts in app_counts.items() for k, v in counts.items()},
        **{f"plays_{k}": v for k, v in play_counts.items()},
    }
    summary.seconds = round(time.monotonic() - started, 1)
    return summary


def _label(name: str) -> str:
    return re.sub(r"[《》]", "", name)[:2]


def _brands(operator, seed: int, password: str, summary: SeedSummary) -> dict[str, Brand]:
    rng = rng_for(seed, "brands")
    now = timezone.now()
    brands: dict[str, Brand] = {}
    for spec in BRANDS:
        brand = Brand.objects.create(
            slug=spec.slug,
            name=spec.name,
            kind=spec.kind,
            tagline=spec.tagline,
            story=spec.story,
            parent=brands.get(spec.parent),
        )
        brands[spec.slug] = brand
        hue = rng.uniform(0, 360)
        set_station_image(
            operator,
            brand,
            images.tile(_label(spec.name), rgb=images.colour(hue, 0.2), size=(300, 300)),
            which="logo",
        )
        set_station_image(
            operator,
            brand,
            images.tile(spec.name, spec.tagline, rgb=images.colour(hue, 0.5), size=(1200, 480)),
            which="cover",
        )
        add_image(
            operator,
            brand,
            images.tile(spec.name, "品牌故事", rgb=images.colour(hue + 30, 0.4), size=(900, 600)),
            caption=f"{spec.name}的故事",
        )
        if spec.video[0]:
            add_video(operator, brand, url=spec.video[0], caption=spec.video[1])
        for n, (title, body) in enumerate(spec.news):
            news = add_news(operator, brand, title=title, body=body)
            age = timedelta(days=n * 17 + rng.randint(1, 12), hours=rng.randint(0, 23))
            BrandNews.objects.filter(pk=news.pk).update(published_at=now - age)
        for role in spec.staff:
            username = staff_username(spec.slug, role)
            label = "负责人" if role == "owner" else "运营"
            user = User.objects.create(
                username=username, nickname=f"{spec.name}{label}"[:40], password=password, city="杭州"
            )
            add_staff(
                operator,
                brand,
                user,
                role=BrandMembership.Role.OWNER if role == "owner" else BrandMembership.Role.OPERATOR,
            )
            summary.logins.append((f"brand {role}", username, spec.name))
    return brands


def _categories() -> dict[str, Category]:
    categories: dict[str, Category] = {}
    for position, (slug, name, parent) in enumerate(CATEGORIES):
        categories[slug] = Category.objects.create(
            slug=slug, name=name, parent=categories.get(parent), position=position
        )
    return categories


def _products(operator, plans: list[ProductPlan], brands, stores: dict[str, Store], categories):
    created: list[tuple[ProductPlan, Product]] = []
    now = timezone.now()
    for plan in plans:
        product = create_product(
            operator,
            stores[plan.store],
            name=plan.name,
            category=categories[plan.category],
            brand=brands[plan.brand],
            subtitle=plan.subtitle,
            description=plan.description,
            option_names=plan.option_names,
            published=plan.published,
            skus=[
                {"code": s.code, "options": s.options, "price": s.price, "stock": s.stock} for s in plan.skus
            ],
        )
        for n in range(plan.images):
            caption = brands[plan.brand].name if n == 0 else "细节"
            picture = images.tile(plan.label, caption, rgb=images.colour(plan.hue + 25 * n, plan.shade))
            add_product_image(operator, product, picture, alt=plan.name)
        product.created_at = now - timedelta(days=plan.age_days, minutes=plan.index)
        created.append((plan, product))
    # Listing dates spread over half a year, so "newest" means something in the demo.
    Product.objects.bulk_update([p for _, p in created], ["created_at"], batch_size=200)
    return created


def _pick(rng, created, category: str, keyword: str, exclude: set[int]) -> Product | None:
    live = [(plan, p) for plan, p in created if plan.published and p.pk not in exclude]
    matches = [p for plan, p in live if plan.category == category and keyword in plan.name]
    matches = matches or [p for plan, p in live if plan.category == category]
    return rng.choice(matches) if matches else None


def _placements(operator, seed: int, brands, created) -> int:
    rng = rng_for(seed, "placements")
    placed: dict[str, set[int]] = {}
    for station, category, keyword, note in PLACEMENTS:
        taken = placed.setdefault(station, set())
        product = _pick(rng, created, category, keyword, taken)
        if product is not None:
            place_product(operator, brands[station], product, note=note)
            taken.add(product.pk)
    return sum(len(ids) for ids in placed.values())


def _bundles(operator, seed: int, created) -> int:
    rng = rng_for(seed, "bundles")
    count = 0
    for slug, name, scenario, description, wanted in BUNDLES:
        items, used = [], set()
        for category, keyword, quantity, note in wanted:
            product = _pick(rng, created, category, keyword, used)
            if product is not None:
                used.add(product.pk)
                items.append({"product_id": product.pk, "quantity": quantity, "note": note})
        if len(items) >= 2:
            create_bundle(
                operator, name=name, slug=slug, scenario=scenario, description=description, items=items
            )
            count += 1
    return count


def _people(seed: int, consumers: int, password: str, summary: SeedSummary) -> int:
    people = plan_consumers(seed, consumers)
    User.objects.bulk_create(
        [
            User(
                username=p.username,
                nickname=p.nickname,
                city=p.city,
                gender=p.gender,
                birth_year=p.birth_year,
                bio=p.bio,
                allow_promotions=p.allow_promotions,
                allow_email_digest=p.allow_email_digest,
                show_purchases_to_friends=p.show_purchases_to_friends,
                show_reviews_to_friends=p.show_reviews_to_friends,
                password=password,
            )
            for p in people
        ]
    )
    User.objects.bulk_create(
        [
            User(
                username=username,
                nickname=nickname,
                city=city,
                gender=gender,
                bio=bio,
                is_promoter=True,
                allow_promotions=True,
                show_reviews_to_friends=True,
                password=password,
            )
            for username, nickname, city, gender, bio in PROMOTERS
        ]
    )
    summary.logins += [("promoter", p[0], p[1]) for p in PROMOTERS[:2]]
    summary.logins += [("consumer", p.username, f"{p.nickname}，{p.city}") for p in people[:4]]
    return len(people)
