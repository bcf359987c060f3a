"""Pages: 领券中心 with claim buttons (form and HTMX), one coupon, my coupons by state, the product/brand
snippet, and the console (list with stats, create, edit, start/pause/end, grant). Query counts pinned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from tests.coupons.conftest import give, template
from tests.factories import UserFactory
from tribe.campaigns.registry import get_play
from tribe.coupons.models import CouponTemplate, UserCoupon
from tribe.sharing.registry import card_for, resolve

pytestmark = pytest.mark.django_db


def test_claim_center_and_claim_button(mall, client):
    tpl = template(mall, title="新客券", total_quantity=1)
    r = client.get("/coupons/")
    assert r.status_code == 200 and "新客券" in r.content.decode() and "登录领取" in r.content.decode()
    user = UserFactory()
    client.force_login(user)
    r = client.post(f"/coupons/{tpl.pk}/claim/", {"next": "/coupons/"})
    assert r.status_code == 302 and r.url == "/coupons/"
    assert UserCoupon.objects.filter(user=user, template=tpl).count() == 1
    client.force_login(UserFactory())
    r = client.post(f"/coupons/{tpl.pk}/claim/", HTTP_HX_REQUEST="true")
    assert r.status_code == 409 and "领完" in r.content.decode()
    assert client.post(f"/coupons/{tpl.pk}/claim/", {"next": "https://evil.example/"}).url == f"/coupons/{tpl.pk}/"
    assert client.post("/coupons/99999/claim/").status_code == 404
    assert client.get(f"/coupons/{tpl.pk}/claim/").status_code == 405


def test_htmx_claim_swaps_in_the_claimed_state(mall, client):
    tpl = template(mall)
    client.force_login(UserFactory())
    r = client.post(f"/coupons/{tpl.pk}/claim/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'data-testid="coupon-claimed"' in r.content.decode()


def test_claim_center_query_count_does_not_grow(mall, client, django_assert_num_queries):
    client.force_login(UserFactory())
    for _ in range(2):
        template(mall)
    client.get("/coupons/")  # warm the session/user caches
    with django_assert_num_queries(6):
        client.get("/coupons/")
    for _ in range(4):
        template(mall)
    with django_assert_num_queries(6):
        assert client.get("/coupons/").status_code == 200


def test_detail_and_share_card(mall, client):
    tpl = template(mall, title="分享券", description="只限本周")
    r = client.get(f"/coupons/{tpl.pk}/")
    assert r.status_code == 200 and "满100减20" in r.content.decode()
    card = card_for("coupon", resolve("coupon", str(tpl.pk)))
    assert card.url == f"/coupons/{tpl.pk}/" and card.description == "满100减20 · 只限本周"
    assert client.get(f"/share/coupon/{tpl.pk}/").status_code == 200
    hidden = template(mall, claimable=False)
    assert client.get(f"/coupons/{hidden.pk}/").status_code == 404
    assert resolve("coupon", "abc") is None


def test_my_coupons_by_state(mall, client):
    user = UserFactory()
    give(mall, user, title="可用券")
    expired = give(mall, user, title="过期券")
    UserCoupon.objects.filter(pk=expired.pk).update(valid_to=timezone.now() - timedelta(seconds=1),
                                                    valid_from=timezone.now() - timedelta(days=1))
    client.force_login(user)
    available = client.get("/me/coupons/").content.decode()
    assert "可用券" in available and "过期券" not in available
    assert "过期券" in client.get("/me/coupons/?state=expired").content.decode()
    assert client.get("/me/coupons/?state=<script>").status_code == 200
    client.logout()
    assert client.get("/me/coupons/").status_code == 302


def test_product_snippet(mall, django_assert_num_queries):
    template(mall, title="鞋券", scope="category", scope_category=mall["shoes"].pk)
    template(mall, title="c专享", scope="products", scope_products=[mall["c"].pk])
    request = RequestFactory().get("/p/")
    request.user = UserFactory()
    product = type(mall["a"]).objects.select_related("store", "category").get(pk=mall["a"].pk)
    tpl = Template("{% load coupon_tags %}{% product_coupons product %}")
    with django_assert_num_queries(2):
        html = tpl.render(Context({"request": request, "product": product}))
    assert "鞋券" in html and "c专享" not in html
    html = Template("{% load coupon_tags %}{% brand_coupons brand %}").render(
        Context({"request": request, "brand": mall["brand"]}))
    assert "鞋券" in html and "c专享" in html


def test_play_is_registered():
    play = get_play("coupons")
    assert play is not None and play.model is CouponTemplate and play.console_url == "console:coupons"


def test_console_pages(mall, client):
    tpl = template(mall, title="控制台券")
    give(mall, UserFactory())
    client.force_login(mall["staff"])
    slug = mall["brand"].slug
    r = client.get(f"/console/{slug}/coupons/")
    assert r.status_code == 200 and "控制台券" in r.content.decode()
    assert client.get(f"/console/{slug}/coupons/new/").status_code == 200
    now = timezone.localtime()
    form = {"title": "新券", "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"), "benefit": "amount_off",
            "threshold": "50", "amount": "5", "percent_off": "0", "nth": "2", "scope": "brand",
            "per_user_limit": "1", "priority": "0", "valid_days": "3", "claimable": "on", "return_on_refund": "on"}
    r = client.post(f"/console/{slug}/coupons/new/", form)
    assert r.status_code == 302
    created = CouponTemplate.objects.get(title="新券")
    assert created.status == "draft" and created.claimable and not created.stackable
    r = client.post(f"/console/{slug}/coupons/new/", {**form, "amount": "80"})  # more than the threshold
    assert r.status_code == 422
    r = client.post(f"/console/{slug}/coupons/{created.pk}/start/")
    assert r.status_code == 302
    created.refresh_from_db()
    assert created.status == "running"
    assert client.get(f"/console/{slug}/coupons/{created.pk}/").status_code == 200
    r = client.post(f"/console/{slug}/coupons/{created.pk}/", {**form, "title": "改名"})
    assert r.status_code == 302 and CouponTemplate.objects.get(pk=created.pk).title == "改名"
    target = UserFactory(allow_promotions=True)
    r = client.post(f"/console/{slug}/coupons/{created.pk}/grant/",
                    {"segment": "usernames", "usernames": target.username, "batch": "abc12345"})
    assert r.status_code == 302 and UserCoupon.objects.filter(user=target, template=created).exists()
    r = client.post(f"/console/{slug}/coupons/{created.pk}/grant/", {"segment": "buyers", "batch": "b"})
    assert r.status_code == 422
    assert client.post(f"/console/{slug}/coupons/{created.pk}/explode/").status_code == 404
    assert client.post(f"/console/{slug}/coupons/{tpl.pk}/end/").status_code == 302
    client.force_login(UserFactory())
    assert client.get(f"/console/{slug}/coupons/").status_code == 403


def test_campaign_pages_list_the_coupon_play(mall, client):
    template(mall, title="营销页的券")
    page = client.get("/campaigns/").content.decode()
    assert 'data-testid="coupon-center-link"' in page  # coupons are listed in the coupon center, not one by one
    assert "营销页的券" in client.get("/coupons/").content.decode()
    client.force_login(mall["staff"])
    r = client.get(f"/console/{mall['brand'].slug}/campaigns/")
    slug = mall["brand"].slug
    assert r.status_code == 200 and f'href="/console/{slug}/coupons/"' in r.content.decode()
