import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tribe.bargain import services
from tribe.bargain.models import Bargain, BargainCampaign, BargainHelp
from tribe.orders.models import Order

from .conftest import ADDRESS, campaign_data, helpers


def _key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)


def test_campaign_page_starts_a_bargain(client, campaign, initiator):
    url = reverse("web:bargain_campaign", args=[campaign.pk])
    anon = client.get(url)
    assert anon.status_code == 200
    assert f'{reverse("web:login")}?next={url}' in anon.content.decode().replace("%2F", "/")
    assert b'data-testid="countdown"' in anon.content

    client.force_login(initiator)
    res = client.post(reverse("web:bargain_start", args=[campaign.pk]))
    bargain = Bargain.objects.get(initiator=initiator)
    assert res.status_code == 302 and res.url == reverse("web:bargain", args=[bargain.pk])
    again = client.post(reverse("web:bargain_start", args=[campaign.pk]))  # an active one: go to it
    assert again.url == reverse("web:bargain", args=[bargain.pk])
    assert Bargain.objects.count() == 1


def test_anonymous_visitor_sees_the_login_link_to_help(client, campaign, initiator):
    bargain = services.start_bargain(initiator, campaign.pk)
    url = reverse("web:bargain", args=[bargain.pk])
    res = client.get(url)
    html = res.content.decode()
    assert res.status_code == 200
    assert f'href="{reverse("web:login")}?next={url}"' in html
    assert 'data-testid="bargain-help"' not in html
    post = client.post(reverse("web:bargain_help", args=[bargain.pk]))
    assert post.status_code == 302 and reverse("web:login") in post.url
    assert BargainHelp.objects.count() == 0


def test_friend_helps_and_sees_the_cut(client, campaign, initiator):
    bargain = services.start_bargain(initiator, campaign.pk)
    friend = UserFactory()
    client.force_login(friend)
    page = client.get(reverse("web:bargain", args=[bargain.pk])).content.decode()
    assert 'data-testid="bargain-help"' in page
    res = client.post(reverse("web:bargain_help", args=[bargain.pk]), follow=True)
    help_ = BargainHelp.objects.get()
    html = res.content.decode()
    assert f"¥{help_.amount}" in html
    assert 'data-testid="already-helped"' in html
    assert html.count('data-testid="helper"') == 1
    again = client.post(reverse("web:bargain_help", args=[bargain.pk]), follow=True)
    assert "你已经帮 TA 砍过了" in again.content.decode()
    assert BargainHelp.objects.count() == 1


def test_initiator_buys_at_the_floor_from_the_page(client, campaign, initiator):
    bargain = services.start_bargain(initiator, campaign.pk)
    for friend in helpers(5):
        services.help_bargain(friend, bargain.pk)
    client.force_login(initiator)
    page = client.get(reverse("web:bargain", args=[bargain.pk])).content.decode()
    assert 'data-testid="bargain-buy-form"' in page
    form = {"address": "new", **ADDRESS, "save_address": "on", "idempotency_key": _key(page)}
    res = client.post(reverse("web:bargain_buy", args=[bargain.pk]), form)
    order = Order.objects.get()
    assert res.status_code == 302 and res.url == reverse("web:order_pay", args=[order.number])
    assert order.subtotal - order.discount_total == Decimal("10.00")
    bargain.refresh_from_db()
    assert bargain.state == Bargain.State.BOUGHT


def test_buy_page_errors_are_shown_not_500(client, campaign, initiator):
    bargain = services.start_bargain(initiator, campaign.pk)
    client.force_login(initiator)
    page = client.get(reverse("web:bargain", args=[bargain.pk])).content.decode()
    assert 'data-testid="buy-locked"' in page
    form = {"address": "new", **ADDRESS, "idempotency_key": "a" * 32}
    res = client.post(reverse("web:bargain_buy", args=[bargain.pk]), form, follow=True)
    assert "还没砍到底价" in res.content.decode()
    assert Order.objects.count() == 0


def test_bargain_page_queries_do_not_grow_with_helpers(client, campaign, initiator, django_assert_num_queries):
    bargain = services.start_bargain(initiator, campaign.pk)
    url = reverse("web:bargain", args=[bargain.pk])
    services.help_bargain(UserFactory(), bargain.pk)
    client.get(url)  # warm caches (site settings, translations)
    # bargain (+campaign, sku, product, brand, initiator, order), product images, helps (+helpers), session
    with django_assert_num_queries(4):
        client.get(url)
    for friend in helpers(3):
        services.help_bargain(friend, bargain.pk)
    with django_assert_num_queries(4):
        assert client.get(url).content.decode().count('data-testid="helper"') == 4


def test_share_card_and_qr(client, campaign, initiator):
    bargain = services.start_bargain(initiator, campaign.pk)
    res = client.get(reverse("web:share", args=["bargain", bargain.pk]))
    assert res.status_code == 200
    assert "帮我砍一刀" in res.content.decode()
    qr = client.get(reverse("web:share_qr", args=["bargain", bargain.pk]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/png"
    assert client.get(reverse("web:share", args=["bargain", 999999])).status_code == 404


def test_draft_campaign_pages_are_404(client, shop):
    draft = services.save_campaign(shop["staff"], shop["brand"], campaign_data(shop))
    assert client.get(reverse("web:bargain_campaign", args=[draft.pk])).status_code == 404
    assert client.get(reverse("web:bargain", args=[10**6])).status_code == 404


# ---- console ----------------------------------------------------------------------------------------------

def _form(shop, **overrides):
    data = {"title": "控制台砍价", "sku": str(shop["sku"].pk), "floor_price": "9.90", "helps_needed": "4",
            "hours": "24", "buy_rule": "floor", "new_user_weight": "1.50", "new_user_days": "7",
            "per_user_limit": "1", "helper_daily_limit": "5", "stock": "",
            "starts_at": "2026-01-01T00:00", "ends_at": "2030-01-01T00:00"}
    data.update(overrides)
    return data


def test_console_create_start_pause_end(client, shop):
    client.force_login(shop["staff"])
    slug = shop["brand"].slug
    list_url = reverse("console:bargain", args=[slug])
    assert client.get(list_url).status_code == 200
    res = client.post(list_url, _form(shop))
    campaign = BargainCampaign.objects.get()
    assert res.status_code == 302 and res.url == reverse("console:bargain_edit", args=[slug, campaign.pk])
    assert (campaign.floor_price, campaign.helps_needed, campaign.stock) == (Decimal("9.90"), 4, None)
    for action, status in (("start", "running"), ("pause", "paused"), ("resume", "running"), ("end", "ended")):
        client.post(reverse("console:bargain_move", args=[slug, campaign.pk, action]))
        campaign.refresh_from_db()
        assert campaign.status == status
    detail = client.get(reverse("console:bargain_edit", args=[slug, campaign.pk]))
    assert detail.status_code == 200 and b'data-testid="bargain-stats"' in detail.content


def test_console_bad_input_is_422_with_the_field_marked(client, shop):
    client.force_login(shop["staff"])
    res = client.post(reverse("console:bargain", args=[shop["brand"].slug]), _form(shop, floor_price="500"))
    assert res.status_code == 422
    assert BargainCampaign.objects.count() == 0


def test_console_stats_and_conversion(client, campaign, shop):
    bargains = [services.start_bargain(UserFactory(), campaign.pk) for _ in range(2)]
    for friend in helpers(5):
        services.help_bargain(friend, bargains[0].pk)
    services.buy_bargain(bargains[0].initiator, bargains[0].pk, address=ADDRESS, idempotency_key="bargain-c-1")
    client.force_login(shop["staff"])
    html = client.get(reverse("console:bargain_edit", args=[shop["brand"].slug, campaign.pk])).content.decode()
    assert 'data-testid="stat-started">2<' in html
    assert 'data-testid="stat-bought">1<' in html
    assert 'data-testid="stat-helps">5<' in html
    assert "50.0%" in html


@pytest.mark.parametrize("who,status", [("anon", 302), ("outsider", 403), ("staff", 200)])
def test_console_permissions(client, shop, who, status):
    if who == "outsider":
        client.force_login(UserFactory())
    elif who == "staff":
        client.force_login(shop["staff"])
    assert client.get(reverse("console:bargain", args=[shop["brand"].slug])).status_code == status


def test_campaign_page_query_count_is_fixed(client, campaign, initiator, django_assert_num_queries):
    url = reverse("web:bargain_campaign", args=[campaign.pk])
    client.force_login(initiator)
    client.get(url)
    # session, user, campaign (+brand, sku, product), product images, my bargain, the shell's managed brands
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
