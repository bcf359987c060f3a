"""Seeding runs of their own: determinism and the real default minima (each test seeds an empty database)."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count

from tribe.brands.models import Brand
from tribe.catalog.models import Bundle, Product
from tribe.demo.plan import plan_products
from tribe.demo.seed import seed_demo
from tribe.search.models import SearchDocument
from tribe.search.services import SearchParams, search_products

User = get_user_model()
SMALL = {"products": 40, "consumers": 8}


def consumers():
    return User.objects.filter(is_staff=False, is_promoter=False, brand_memberships__isnull=True)


def snapshot() -> list[tuple]:
    return [
        (
            p.name,
            p.brand.slug,
            p.store.slug,
            p.category.slug,
            p.published,
            [(s.code, s.options, s.price, s.stock) for s in p.skus.order_by("code")],
        )
        for p in Product.objects.select_related("brand", "store", "category").order_by("name")
    ]


def seed_and_roll_back(seed: int) -> list[tuple]:
    with transaction.atomic():
        seed_demo(seed, **SMALL)
        taken = snapshot()
        transaction.set_rollback(True)
    return taken


def test_the_same_seed_gives_the_same_catalogue(db):
    # given two seedings with seed 7, each rolled back
    first = seed_and_roll_back(7)
    second = seed_and_roll_back(7)

    # then names, stores, SKUs, prices and stock are identical
    assert len(first) == 40
    assert first == second


def test_another_seed_gives_another_catalogue(db):
    assert seed_and_roll_back(1) != seed_and_roll_back(2)


def test_the_plan_is_deterministic_and_uses_shop_prices():
    plans = plan_products(42, 240)

    assert [(p.name, [s.price for s in p.skus]) for p in plans] == [
        (p.name, [s.price for s in p.skus]) for p in plan_products(42, 240)
    ]
    assert len({p.name for p in plans}) == 240  # no duplicate names
    prices = [s.price for p in plans for s in p.skus]
    assert all(isinstance(x, Decimal) and x == x.quantize(Decimal("0.01")) and x > 0 for x in prices)
    assert all(p.skus for p in plans)


@pytest.mark.slow
def test_default_seed_meets_the_minima(db):
    # when the real demo is seeded
    summary = seed_demo()

    # then
    kinds = Brand.objects.values("kind").annotate(n=Count("id"))
    assert Brand.objects.count() >= 6
    assert {k["kind"] for k in kinds} == {"hub", "flagship", "content"}
    assert Product.objects.count() >= 200
    assert Product.objects.published().count() >= 200
    assert consumers().count() >= 50
    assert Bundle.objects.count() >= 3
    assert not Product.objects.filter(skus__isnull=True).exists()
    assert not Product.objects.filter(images__isnull=True).exists()
    assert SearchDocument.objects.count() == Product.objects.count()
    assert search_products(SearchParams(q="奶粉")).count >= 10
    assert search_products(SearchParams(q="防辐射服")).count >= 3
    assert summary.counts["products"] == Product.objects.count()
    assert summary.seconds < 60
