"""Demo social layer: follows (some mutual, so there are friends), brand and 达人 follows, three circles with
different join rules, 晒图 posts with tagged products and photos, a brand post, comments, likes and keyword
follows; then the fan communities, albums/guides/Q&A and messages of their own apps.

Everything goes through the services, so every count shown anywhere is computed from these rows, and feed
inboxes are built by the same fan-out as for real posts. Deterministic for a seed.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from tribe.brands.models import Brand, BrandMembership
from tribe.catalog.models import Product
from tribe.circles import services as circles
from tribe.core.errors import DomainError
from tribe.feed import services as feed
from tribe.posts import services as posts
from tribe.social import services as social

from .data import PROMOTERS
from .images import colour, tile
from .plan import rng_for

User = get_user_model()

CIRCLES = (
    ("新手妈妈圈", "new-moms", "open", "public", "第一次当妈妈？这里只聊真实用过的东西，不发广告。"),
    ("咖啡同好会", "coffee-lovers", "approval", "public", "手冲、意式、挂耳都聊，申请时说说你最爱的豆子。"),
    ("母婴好物内测群", "baby-gear-beta", "invite", "members_only", "受邀妈妈们先试后评，内容仅成员可见。"),
)
POSTS = (
    ("奶粉", "换了这款奶粉之后宝宝便便正常多了，冲泡也不结块，分享给同样在纠结的妈妈。"),
    ("推车", "推车真的轻，一只手就能收，上地铁很方便。缺点是遮阳篷有点小。"),
    ("咖啡", "周末在家手冲，这款豆子酸度柔和，加一点点奶也好喝。"),
    ("面霜", "孕期敏感肌用了一个月，没有刺激，冬天也不干。"),
    ("茶", "朋友推荐的这款茶，回甘明显，泡了五泡还有味道。"),
    ("背包", "通勤背了两周，电脑仓很稳，下雨也没渗水。"),
    ("", "今天带娃去公园，终于睡了个午觉，分享一下好心情。"),
    ("", "大家平时用什么收纳玩具？家里快被淹没了。"),
)


def _photo(text: str, hue: float, n: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"demo-{n}.jpg", tile(text[:4] or "晒图", "Tribe", rgb=colour(hue, 0.45),
                                                    size=(480, 480)), content_type="image/jpeg")


def _product_for(rng, word: str, products: list[Product]) -> Product | None:
    matches = [p for p in products if word and word in p.name]
    return rng.choice(matches) if matches else None


def _distribution(brands: list[Brand], promoters: list) -> dict:
    """Promoter programs for two brands (anyone may join; 10%), every demo 达人 promoting one of them, and
    "buy with friends" switched on for the first. Nothing is attributed or earned until someone really buys."""
    from tribe.distribution import services as distribution
    from tribe.referrals.services import save_friend_deal_policy

    selling = [b for b in brands if Product.objects.published().filter(store__brand=b).exists()][:2]
    for i, brand in enumerate(selling):
        staff = BrandMembership.objects.filter(brand=brand).order_by("id").first().user
        distribution.save_program(staff, brand, join_policy="anyone", binding="window", window_days=30,
                                  default_rate="0.1000", max_promoters_per_line=1, min_withdrawal="10.00")
        if i == 0:
            save_friend_deal_policy(staff, brand, enabled=True, percent="0.10", hours="48", max_uses="5",
                                    reward_points="30")
    for i, user in enumerate(promoters):
        if selling:
            distribution.join(user, selling[i % len(selling)])
    return {"promoter_programs": len(selling), "promoter_roles": len(promoters) if selling else 0}


def seed_social(seed: int) -> dict:
    rng = rng_for(seed, "social")
    consumers = list(User.objects.filter(is_staff=False, is_promoter=False, brand_memberships__isnull=True)
                     .order_by("id"))
    promoters = list(User.objects.filter(username__in=[p[0] for p in PROMOTERS]).order_by("id"))
    brands = list(Brand.objects.order_by("id"))
    products = list(Product.objects.published().order_by("id"))
    made = {"follows": 0, "circles": 0, "posts": 0, "comments": 0, "likes": 0}
    if len(consumers) < 4 or not products:
        return made
    made.update(_distribution(brands, promoters))
    # follows: each consumer follows a few others; about half of them follow back (friends)
    for user in consumers:
        for other in rng.sample([c for c in consumers if c.pk != user.pk], min(4, len(consumers) - 1)):
            social.follow_user(user, other)
            made["follows"] += 1
            if rng.random() < 0.5:
                social.follow_user(other, user)
                made["follows"] += 1
        for brand in rng.sample(brands, min(2, len(brands))):
            social.follow_brand(user, brand)
            made["follows"] += 1
        if promoters:
            social.follow_user(user, rng.choice(promoters))
            made["follows"] += 1
    # circles
    made_circles = []
    for i, (name, slug, policy, visibility, description) in enumerate(CIRCLES):
        owner = consumers[i]
        circle = circles.create_circle(owner, name=name, slug=slug, description=description,
                                       join_policy=policy, visibility=visibility)
        made_circles.append(circle)
        for member in rng.sample(consumers[3:], min(10, len(consumers) - 3)):
            if policy == "open":
                circles.join_circle(member, circle)
            elif policy == "approval":
                circles.join_circle(member, circle)
                if rng.random() < 0.7:
                    circles.decide_request(owner, circle, member.pk, approve=True)
            else:
                circles.invite(owner, circle, member.pk)
                if rng.random() < 0.8:
                    circles.join_circle(member, circle)
        made["circles"] += 1
    # posts: consumers and 达人 share experiences, some in circles they belong to
    authors = consumers[:20] + promoters
    created = []
    for n in range(36):
        author = rng.choice(authors)
        word, text = rng.choice(POSTS)
        product = _product_for(rng, word, products)
        circle = None
        if rng.random() < 0.3:
            mine = [c for c in made_circles if c.memberships.filter(user=author, state="active").exists()]
            circle = rng.choice(mine) if mine else None
        images = [_photo(word or text, rng.uniform(0, 360), n * 10 + k) for k in range(rng.randint(0, 3))]
        post = posts.create_post(author, text=text, images=images, circle=circle,
                                 product_ids=[product.pk] if product else [])
        created.append(post)
        made["posts"] += 1
    # one brand post (promotional: only followers who opted in to promotions see it, within the caps)
    staff = BrandMembership.objects.select_related("brand", "user").order_by("id").first()
    if staff is not None:
        brand_products = [p for p in products if p.brand_id == staff.brand_id][:1]
        posts.create_post(staff.user, text=f"{staff.brand.name}新品上架，关注我们的朋友先看到。",
                          brand=staff.brand, product_ids=[p.pk for p in brand_products])
        made["posts"] += 1
    # comments and likes by people who can see the post
    for post in created:
        readers = [c for c in consumers if c.pk != post.author_id]
        for reader in rng.sample(readers, rng.randint(0, 4)):
            try:
                posts.like(reader, "post", post.pk)
                made["likes"] += 1
                if rng.random() < 0.4:
                    posts.add_comment(reader, "post", post.pk, rng.choice(["求链接", "同款！", "谢谢分享", "好用吗？"]))
                    made["comments"] += 1
            except DomainError:  # a circle post the reader may not touch: skip it, count nothing
                continue
    for user in consumers[:10]:
        feed.set_keyword(user, "奶粉", mute=False)
    # report what exists, counted from the rows (a follow made twice is one follow)
    from tribe.circles.models import Circle
    from tribe.posts.models import Comment, Like, Post
    from tribe.social.models import Follow

    made.update(follows=Follow.objects.count(), circles=Circle.objects.count(), posts=Post.objects.count(),
                comments=Comment.objects.filter(removed=False).count(), likes=Like.objects.count())
    return made


def seed_apps(seed: int) -> dict:
    """The fan communities, albums/guides/Q&A and messages, each seeded by its own app."""
    import importlib

    out = {}
    for name in ("fans", "curation", "messaging"):
        out[name] = importlib.import_module(f"tribe.{name}.demo").seed_demo(rng_for(seed, name))
    return out
