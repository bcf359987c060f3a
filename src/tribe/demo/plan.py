"""The demo as a plan: every name, price, stock figure and profile decided up front, without the database.

Each part draws from its own `random.Random` named after the seed and the part, so the plan is the same on
every machine and run (string seeds do not depend on PYTHONHASHSEED), and asking for fewer consumers does not
change the products.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from pypinyin import lazy_pinyin

from .data import (
    BIOS,
    BRAND_STORES,
    CATEGORIES,
    CATEGORY_HUES,
    CITIES,
    GENERIC_DETAILS,
    LINES,
    NICK_ROOTS,
    NICK_SUFFIXES,
    Line,
)

MAX_SKUS = 12
PARENT_OF = {slug: parent for slug, _, parent in CATEGORIES}


@dataclass
class SkuPlan:
    code: str
    options: dict[str, str]
    price: Decimal
    stock: int


@dataclass
class ProductPlan:
    index: int
    name: str
    brand: str
    store: str
    category: str
    label: str
    subtitle: str
    description: str
    option_names: list[str]
    skus: list[SkuPlan]
    published: bool
    hue: float
    shade: float
    images: int
    age_days: int


@dataclass
class PersonPlan:
    username: str
    nickname: str
    city: str
    gender: str
    birth_year: int | None
    bio: str
    allow_promotions: bool
    allow_email_digest: bool
    show_purchases_to_friends: bool
    show_reviews_to_friends: bool
    extra: dict = field(default_factory=dict)


def rng_for(seed: int, part: str) -> random.Random:
    return random.Random(f"tribe-demo:{seed}:{part}")


def _names(line: Line, rng: random.Random) -> list[tuple[str, tuple[int, int]]]:
    """Every name the line can make, shuffled, each with its price range: a value may carry its own
    ("电动吸奶器 双边|399-699") where one line mixes cheap and dear items."""
    names = []
    for parts in itertools.product(line.a, line.b, line.c):
        price = line.price
        texts = []
        for part in parts:
            text, _, span = part.partition("|")
            texts.append(text)
            if span:
                low, high = span.split("-")
                price = (int(low), int(high))
        name = re.sub(r"\s+", " ", line.name.format(a=texts[0], b=texts[1], c=texts[2])).strip()
        names.append((name, price))
    rng.shuffle(names)
    return names


def _price(amount: Decimal, cents: bool) -> Decimal:
    """Shop-style prices: whole yuan ending in 9 (169, 259), or 0.10 below for some products (168.90)."""
    yuan = int(amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if yuan >= 20:
        yuan = yuan // 10 * 10 + 9
    price = Decimal(yuan) - (Decimal("0.10") if cents else 0)
    return price.quantize(Decimal("0.01"))


def _axis_values(name: str, values: tuple[str, ...], rng: random.Random) -> list[str]:
    if name == "尺码" and len(values) > 3:  # a run of neighbouring sizes, as shops stock them
        run = rng.randint(3, min(5, len(values)))
        start = rng.randint(0, len(values) - run)
        return list(values[start : start + run])
    k = rng.randint(1, min(3, len(values)))
    return sorted(rng.sample(values, k), key=values.index)


def _skus(
    index: int, line: Line, span: tuple[int, int], rng: random.Random
) -> tuple[list[str], list[SkuPlan]]:
    axes = [(name, _axis_values(name, values, rng)) for name, values in line.options]
    while axes and _count(axes) > MAX_SKUS:
        biggest = max(range(len(axes)), key=lambda i: len(axes[i][1]))
        axes[biggest][1].pop()
    base = Decimal(rng.randint(*span))
    cents = rng.random() < 0.2
    sold_out = rng.random() < 0.05
    skus = []
    for n, combo in enumerate(itertools.product(*[vals for _, vals in axes])):
        options, factor = {}, Decimal(1)
        for (axis, _), raw in zip(axes, combo, strict=True):
            value, _, mult = raw.partition("|")
            options[axis] = value
            factor *= Decimal(mult or "1")
        stock = 0 if sold_out or rng.random() < 0.12 else rng.randint(3, 500)
        skus.append(SkuPlan(f"D{index + 1:04d}-{n + 1:02d}", options, _price(base * factor, cents), stock))
    return [name for name, _ in axes], skus


def _count(axes) -> int:
    total = 1
    for _, values in axes:
        total *= len(values)
    return total


def plan_products(seed: int, count: int) -> list[ProductPlan]:
    """`count` products, taken one line at a time in turn, so even a small catalogue has every line."""
    rng = rng_for(seed, "products")
    pools = [_names(line, rng) for line in LINES]
    per_brand: dict[str, int] = {}
    plans: list[ProductPlan] = []
    while len(plans) < count and any(pools):
        for line, pool in zip(LINES, pools, strict=True):
            if not pool or len(plans) >= count:
                continue
            index = len(plans)
            stores = BRAND_STORES[line.brand]
            nth = per_brand.get(line.brand, 0)
            per_brand[line.brand] = nth + 1
            name, span = pool.pop()
            option_names, skus = _skus(index, line, span, rng)
            top = PARENT_OF[line.category] or line.category
            details = [*line.details, *rng.sample(GENERIC_DETAILS, 2)]
            plans.append(
                ProductPlan(
                    index=index,
                    name=name,
                    brand=line.brand,
                    store=stores[nth % len(stores)],
                    category=line.category,
                    label=line.label,
                    subtitle=rng.choice(line.subtitles) if line.subtitles else "",
                    description="\n".join(details),
                    option_names=option_names,
                    skus=skus,
                    published=rng.random() > 0.04,
                    hue=CATEGORY_HUES[top] + rng.uniform(-20, 20),
                    shade=rng.random(),
                    images=2 if rng.random() < 0.3 else 1,
                    age_days=rng.randint(0, 180),
                )
            )
    return plans


def plan_consumers(seed: int, count: int) -> list[PersonPlan]:
    rng = rng_for(seed, "consumers")
    combos = list(itertools.product(NICK_ROOTS, NICK_SUFFIXES))
    rng.shuffle(combos)
    people = []
    for n, (root, (suffix, gender_hint)) in enumerate(combos[:count], start=1):
        gender = gender_hint or rng.choices(["f", "m", ""], weights=[5, 3, 2])[0]
        people.append(
            PersonPlan(
                username=f"{''.join(lazy_pinyin(root))}{n:02d}",
                nickname=root + suffix,
                city=rng.choice(CITIES),
                gender=gender,
                birth_year=rng.randint(1982, 2003) if rng.random() < 0.75 else None,
                bio=rng.choice(BIOS),
                allow_promotions=rng.random() < 0.15,
                allow_email_digest=rng.random() < 0.25,
                show_purchases_to_friends=rng.random() < 0.35,
                show_reviews_to_friends=rng.random() < 0.8,
            )
        )
    return people
