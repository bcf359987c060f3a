"""Share clicks through real pages: a valid link records a click and binds; a tampered one does nothing."""

from decimal import Decimal

from tests.distribution.conftest import buy, share_url
from tests.factories import UserFactory
from tribe.core.models import Event
from tribe.distribution.models import Binding, LineAttribution, ShareClick


def test_share_link_records_click_binds_and_attributes(client, shop):
    # given a signed-in buyer opening the promoter's link
    client.force_login(shop.buyer)
    # when
    response = client.get(share_url(shop.product, shop.promoter.user), REMOTE_ADDR="10.1.2.3")
    # then
    assert response.status_code == 200
    click = ShareClick.objects.get()
    assert (click.sharer_id, click.brand_id, click.kind, click.object_id, click.channel, click.visitor_id,
            click.ip) == (shop.promoter.user_id, shop.brand.pk, "product", shop.product.pk, "wechat",
                          shop.buyer.pk, "10.1.2.3")
    assert Binding.objects.get(visitor=shop.buyer).promoter_id == shop.promoter.pk
    assert Event.objects.filter(name="share_click").count() == 1
    order = buy(shop.buyer, shop.product)
    assert LineAttribution.objects.get(line__order=order).commission == Decimal("10.00")


def test_tampered_share_code_records_no_click_and_no_binding(client, shop):
    client.force_login(shop.buyer)
    url = share_url(shop.product, shop.promoter.user)
    tampered = url.replace("share=", "share=1")
    response = client.get(tampered)
    assert response.status_code == 200
    assert ShareClick.objects.count() == 0
    assert Binding.objects.count() == 0


def test_non_promoter_click_is_recorded_but_binds_nobody(client, shop):
    stranger = UserFactory()
    client.force_login(shop.buyer)
    client.get(share_url(shop.product, stranger))
    assert ShareClick.objects.get().sharer_id == stranger.pk
    assert not Binding.objects.exists()


def test_own_link_binds_nobody(client, shop):
    client.force_login(shop.promoter.user)
    client.get(share_url(shop.product, shop.promoter.user))
    assert ShareClick.objects.count() == 1
    assert not Binding.objects.exists()


def test_unpublished_product_binds_nobody(client, shop):
    shop.product.published = False
    shop.product.save()
    client.force_login(shop.staff)  # staff may preview the unpublished product
    client.get(share_url(shop.product, shop.promoter.user))
    assert not Binding.objects.exists()


def test_anonymous_click_then_login_moves_binding_to_user(client, shop, password):
    # given an anonymous visitor who opened the link
    response = client.get(share_url(shop.product, shop.promoter.user))
    assert response.status_code == 200
    anon = Binding.objects.get()
    assert anon.visitor_id is None and anon.session_key
    # when they sign in
    response = client.post("/accounts/login/", {"username": shop.buyer.username, "password": password})
    assert response.status_code == 302
    # then the binding and the click are theirs
    assert Binding.objects.get().visitor_id == shop.buyer.pk
    assert ShareClick.objects.get().visitor_id == shop.buyer.pk
