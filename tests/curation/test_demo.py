"""The curation demo writes real rows through the services and never invents a buyer's answer."""

from __future__ import annotations

import random

from tests.factories import UserFactory
from tribe.curation.demo import seed_demo
from tribe.curation.models import Album, Guide
from tribe.qa.models import Answer, Question


def test_seed_demo_without_orders_leaves_questions_unanswered(world):
    UserFactory(username="consumer1")
    made = seed_demo(random.Random(1))

    assert made["albums"] == Album.objects.count() >= 2  # brand A's 品牌街 album + the 达人's
    assert Album.objects.filter(brand=world.brand_a).exists()
    assert made["guides"] == Guide.objects.count() == 2
    assert made["questions"] == Question.objects.count() > 0
    assert made["answers"] == Answer.objects.count() == 0


def test_seed_demo_answers_only_by_real_buyers(world):
    from tests.social.purchases import bought

    buyers = [UserFactory(username=f"buyer{i}") for i in range(2)]
    for product in world.products:
        for buyer in buyers:
            bought(buyer, product, status="received")
    made = seed_demo(random.Random(2))

    assert made["answers"] == Answer.objects.count() > 0
    assert set(Answer.objects.values_list("author_id", flat=True)) <= {b.pk for b in buyers}
