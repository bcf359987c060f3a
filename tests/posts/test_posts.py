"""晒图 posts: the write rules, bad input (nothing stored), escaping, and the API."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.images import png_upload, text_upload
from tribe.circles import services as circles
from tribe.core.errors import NotFound, PermissionDenied, ValidationFailed
from tribe.core.models import Event
from tribe.posts import services
from tribe.posts.models import Post, PostImage, PostProduct

pytestmark = pytest.mark.django_db


def test_post_with_images_and_products(product):
    author = UserFactory()
    post = services.create_post(author, text="宝宝很喜欢", images=[png_upload(), png_upload("b.png")],
                                product_ids=[product.pk, product.pk])
    assert post.images.count() == 2
    assert list(post.products.all()) == [product]  # a product tagged twice is one tag
    assert not post.is_promotion and post.brand_id is None
    assert Event.objects.filter(name="post", actor=author).count() == 1


@pytest.mark.parametrize("kwargs, code", [
    ({"text": "   "}, "invalid"),
    ({"text": "ok", "images": [png_upload(f"{i}.png") for i in range(10)]}, "too_many_images"),
    ({"text": "ok", "images": [png_upload(), text_upload()]}, None),
    ({"text": "ok", "product_ids": [2**62]}, None),
    ({"text": "ok", "product_ids": ["1"]}, None),
    ({"text": "x" * 2001}, None),
])
def test_bad_input_is_refused_and_nothing_is_stored(product, kwargs, code):
    with pytest.raises(ValidationFailed) as exc:
        services.create_post(UserFactory(), **kwargs)
    assert exc.value.status == 422
    if code:
        assert exc.value.code == code
    assert Post.objects.count() == PostImage.objects.count() == PostProduct.objects.count() == 0


def test_unpublished_product_cannot_be_tagged(product):
    product.published = False
    product.save()
    with pytest.raises(ValidationFailed):
        services.create_post(UserFactory(), text="看看", product_ids=[product.pk])


def test_staff_post_about_own_brand_is_a_promotion(product, brand_staff):
    post = services.create_post(brand_staff, text="新品上市", product_ids=[product.pk])
    assert post.is_promotion and post.brand_id == product.brand_id
    as_brand = services.create_post(brand_staff, text="品牌故事", brand=product.brand)
    assert as_brand.is_promotion and as_brand.brand_id == product.brand_id
    with pytest.raises(PermissionDenied):
        services.create_post(UserFactory(), text="冒充品牌", brand=product.brand)


def test_circle_rules(product, brand_staff):
    owner = UserFactory()
    circle = circles.create_circle(owner, name="妈妈圈", slug="moms")
    with pytest.raises(PermissionDenied) as exc:
        services.create_post(UserFactory(), text="我不在圈里", circle=circle)
    assert exc.value.code == "not_member"
    circles.join_circle(brand_staff, circle)
    with pytest.raises(PermissionDenied) as exc:
        services.create_post(brand_staff, text="买它", product_ids=[product.pk], circle=circle)
    assert exc.value.code == "promotion_not_allowed"
    post = services.create_post(owner, text="真好用", product_ids=[product.pk], circle=circle)
    assert post.circle == circle
    assert Post.objects.count() == 1


def test_remove_post_rules(product):
    author, other = UserFactory(), UserFactory()
    post = services.create_post(author, text="hello")
    with pytest.raises(PermissionDenied):
        services.remove_post(other, post)
    services.remove_post(author, post)
    post.refresh_from_db()
    assert post.removed


def test_html_is_shown_escaped(client, product):
    post = services.create_post(UserFactory(), text='<script>alert("x")</script><b>粗</b>')
    html = client.get(f"/posts/{post.pk}/").content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_members_only_post_is_404_for_strangers(client, api_as):
    owner = UserFactory()
    circle = circles.create_circle(owner, name="秘密", slug="secret", visibility="members_only")
    post = services.create_post(owner, text="内部消息", circle=circle)
    stranger = UserFactory()
    client.force_login(stranger)
    assert client.get(f"/posts/{post.pk}/").status_code == 404
    assert api_as(stranger).get(f"/posts/{post.pk}").status_code == 404
    assert api_as(owner).get(f"/posts/{post.pk}").status_code == 200
    with pytest.raises(NotFound):
        services.add_comment(stranger, "post", post.pk, "我也想看")
    with pytest.raises(NotFound):
        services.like(stranger, "post", post.pk)
    assert client.get(f"/share/post/{post.pk}/").status_code == 404


def test_post_page_form_creates_post_with_images(client, product):
    user = UserFactory()
    client.force_login(user)
    r = client.post("/posts/new/", {"text": "晒一下", "products": f"https://x.test/p/{product.pk}/",
                                    "images": [png_upload(), png_upload("2.png")]})
    assert r.status_code == 302
    post = Post.objects.get()
    assert post.images.count() == 2 and list(post.products.all()) == [product]
    page = client.get(r["Location"]).content.decode()
    assert "晒一下" in page and product.name in page


def test_post_page_form_refuses_bad_input(client):
    client.force_login(UserFactory())
    r = client.post("/posts/new/", {"text": "", "products": ""})
    assert r.status_code == 422 and Post.objects.count() == 0
    r = client.post("/posts/new/", {"text": "ok", "images": [text_upload()]})
    assert r.status_code == 422 and Post.objects.count() == 0
    r = client.post("/posts/new/", {"text": "ok", "products": "not-a-product"})
    assert r.status_code == 422 and Post.objects.count() == 0
    r = client.post("/posts/new/", {"text": "ok", "circle": "nope"})
    assert r.status_code == 422 and Post.objects.count() == 0


def test_api_create_and_read(api_as, anon, product):
    user = UserFactory()
    api = api_as(user)
    r = api.upload("/posts", text="API 晒图", products=str(product.pk), images=[png_upload()])
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["products"][0]["id"] == product.pk and len(body["images"]) == 1
    assert anon.get(f"/posts/{body['id']}").json()["text"] == "API 晒图"
    assert api.upload("/posts", text="").status_code == 422
    too_many = api.upload("/posts", text="x", images=[png_upload(f"{i}.png") for i in range(10)])
    assert too_many.status_code == 422
    assert Post.objects.count() == 1
    listed = anon.get(f"/products/{product.pk}/posts").json()
    assert listed["count"] == 1
    assert api.delete(f"/posts/{body['id']}").json() == {"ok": True}
    assert anon.get(f"/posts/{body['id']}").status_code == 404
