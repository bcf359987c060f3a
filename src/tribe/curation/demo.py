"""Demo data for albums, guides and product Q&A, written through the services.

品牌街: a public album for a few demo brands (by their staff), a 达人's album, two scenario guides built from
the demo catalogue, and a few questions by demo consumers. Questions are answered only by people who really
bought the product in a demo order (tribe.qa.selectors.recent_buyer_ids); with no demo orders they stay
unanswered — the demo never fakes a purchase or a buyer's answer.
"""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from tribe.brands.models import Brand, BrandMembership
from tribe.catalog.models import Product
from tribe.core.errors import DomainError
from tribe.qa import selectors as qa_selectors
from tribe.qa import services as qa_services

from . import services

GUIDES = [
    ("宝宝出生前的待产包", "待产准备", "过来人整理的待产包：按住院、产后和宝宝三部分准备，少买用不上的东西。", [
        ("妈妈住院用品", "产褥垫、哺乳内衣、防滑拖鞋，入院前一周装好。", ["哺乳", "孕", "待产"]),
        ("宝宝第一套衣物", "A类纯棉、系带款，按 52/59 码各准备两三件。", ["连体", "纯棉", "婴儿"]),
        ("喂养与护理", "奶瓶、纸尿裤 NB 码先少买，看宝宝适应再囤。", ["奶瓶", "纸尿裤", "湿巾"]),
    ]),
    ("新生儿出院回家", "新生儿出院回家", "出院那天最容易手忙脚乱：提前装好安全座椅，备好包被和一次性用品。", [
        ("路上", "安全座椅提前装好，包被按季节选厚薄。", ["座椅", "包被", "推车"]),
        ("到家第一周", "体温计、纸尿裤、护臀膏放在伸手就能拿到的地方。", ["纸尿裤", "护臀", "体温"]),
    ]),
]
QUESTIONS = ["这个适合刚出生的宝宝用吗？", "尺码偏大还是偏小？", "用了多久？质量怎么样？", "有味道吗？洗了会缩水吗？"]
ANSWERS = ["用了两个月，挺好的，没有异味。", "尺码正常，按平时买就行。", "宝宝用着没问题，会回购。"]


def _products(rng: random.Random, words: list[str], n: int, exclude: set[int]) -> list[Product]:
    q = Q()
    for word in words:
        q |= Q(name__contains=word)
    picked = list(Product.objects.published().filter(q).exclude(pk__in=exclude).order_by("id")[:40])
    rng.shuffle(picked)
    return picked[:n]


def _brand_albums(rng: random.Random, made: dict) -> None:
    brands = (Brand.objects.filter(is_active=True)
              .annotate(n=Count("products", filter=Q(products__published=True))).filter(n__gte=3).order_by("id"))
    for brand in brands[:3]:
        staff = BrandMembership.objects.filter(brand=brand).select_related("user").order_by("id").first()
        if staff is None:
            continue
        album = services.create_album(staff.user, title=f"{brand.name} · 当季精选", brand_id=brand.pk,
                                      description=f"{brand.name}官方整理的当季好物。")
        products = list(Product.objects.published().filter(brand=brand).order_by("-created_at", "id")[:12])
        for product in rng.sample(products, min(5, len(products))):
            services.add_item(staff.user, album, product_id=product.pk, note="官方推荐")
        made["albums"] += 1


def _promoter_album(rng: random.Random, made: dict) -> None:
    promoter = get_user_model().objects.filter(is_promoter=True).order_by("id").first()
    if promoter is None:
        return
    album = services.create_album(promoter, title="我家真实在用的母婴好物",
                                  description="不收钱的推荐：每一件都是我家宝宝用过的。")
    for product in _products(rng, ["婴儿", "宝宝", "奶瓶", "纸尿裤"], 6, set()):
        services.add_item(promoter, album, product_id=product.pk, note="用了半年，值得买")
    made["albums"] += 1


def _guides(rng: random.Random, made: dict) -> None:
    author = get_user_model().objects.filter(is_promoter=True).order_by("id").first()
    if author is None:
        return
    for title, scenario, intro, steps in GUIDES:
        used: set[int] = set()
        payload = []
        for step_title, text, words in steps:
            products = _products(rng, words, 3, used)
            used |= {p.pk for p in products}
            payload.append({"title": step_title, "text": text,
                            "products": [{"product": p.pk, "note": ""} for p in products]})
        services.create_guide(author, title=title, scenario=scenario, intro=intro, steps=payload)
        made["guides"] += 1


def _questions(rng: random.Random, made: dict) -> None:
    askers = list(get_user_model().objects.filter(is_promoter=False, is_staff=False, brand_memberships=None)
                  .order_by("id")[:10])
    products = list(Product.objects.published().order_by("id")[:30])
    if not askers or not products:
        return
    for i, product in enumerate(rng.sample(products, min(4, len(products)))):
        asker = askers[i % len(askers)]
        try:
            question = qa_services.ask_question(asker, product.pk, text=QUESTIONS[i % len(QUESTIONS)])
        except DomainError:
            continue
        made["questions"] += 1
        # only real buyers of the product answer; with no demo orders there are none
        for j, buyer_id in enumerate(qa_selectors.recent_buyer_ids(product.pk, exclude_user_id=asker.pk, limit=2)):
            buyer = get_user_model().objects.get(pk=buyer_id)
            qa_services.answer_question(buyer, question.pk, text=ANSWERS[j % len(ANSWERS)])
            made["answers"] += 1


def seed_demo(rng: random.Random) -> dict:
    made = {"albums": 0, "guides": 0, "questions": 0, "answers": 0}
    _brand_albums(rng, made)
    _promoter_album(rng, made)
    _guides(rng, made)
    _questions(rng, made)
    return made
