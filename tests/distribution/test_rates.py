"""Commission rate precedence at order time: a running campaign the order came from > the product's own rate >
the program's default. Snapshots never change afterwards."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tribe.core.errors import PermissionDenied, ValidationFailed
from tribe.distribution import services
from tribe.distribution.models import LineAttribution
from tribe.orders.models import Order

from .conftest import buy, share_url

pytestmark = pytest.mark.django_db


def _attributed(client, shop, key, campaign=""):
    client.force_login(shop.buyer)
    client.get(share_url(shop.product, shop.promoter.user))
    order = buy(shop.buyer, shop.product, key=key)
    if campaign:  # the order's first touch came from a campaign link
        Order.objects.filter(pk=order.pk).update(campaign=campaign)
        LineAttribution.objects.filter(line__order=order).delete()
        from tribe.distribution.attribution import snapshot

        order.refresh_from_db()
        snapshot(order)
    return LineAttribution.objects.get(line__order=order)


def test_precedence_campaign_product_default(client, shop):
    assert _attributed(client, shop, "order-default").rate == Decimal("0.1000")
    services.set_product_rate(shop.staff, shop.product, "0.1500")
    assert _attributed(client, shop, "order-product").rate == Decimal("0.1500")
    now = timezone.now()
    services.set_campaign_rate(shop.staff, shop.brand, "618", "0.2000", starts_at=now - timedelta(days=1),
                               ends_at=now + timedelta(days=1))
    att = _attributed(client, shop, "order-campaign", campaign="618")
    assert att.rate == Decimal("0.2000") and att.commission == Decimal("20.00")
    # a campaign that is over no longer applies; an order from another campaign gets the product rate
    services.set_campaign_rate(shop.staff, shop.brand, "618", "0.2000", starts_at=now - timedelta(days=3),
                               ends_at=now - timedelta(days=2))
    assert _attributed(client, shop, "order-late", campaign="618").rate == Decimal("0.1500")
    assert att.rate == LineAttribution.objects.get(pk=att.pk).rate  # the snapshot never changes


@pytest.mark.parametrize("rate, starts, ends", [("0.9", -1, 1), ("0", -1, 1), ("abc", -1, 1), ("0.1", 1, -1)])
def test_campaign_rate_bad_input(shop, rate, starts, ends):
    now = timezone.now()
    with pytest.raises(ValidationFailed):
        services.set_campaign_rate(shop.staff, shop.brand, "双11", rate, starts_at=now + timedelta(days=starts),
                                   ends_at=now + timedelta(days=ends))


def test_rates_are_staff_only_and_reachable_over_the_api(client, shop):
    from tests.api.conftest import Api
    from tribe.accounts.services import issue_token

    with pytest.raises(PermissionDenied):
        services.set_product_rate(shop.buyer, shop.product, "0.2")
    api = Api(client, issue_token(shop.staff))
    slug = shop.brand.slug
    r = api.raw("PUT", f"/console/brands/{slug}/products/{shop.product.pk}/commission-rate", '{"rate": "0.1200"}',
                "application/json")
    assert r.status_code == 200 and r.json()["rate"] == "0.1200"
    body = '{"rate": "0.2500", "starts_at": "2026-06-01T00:00:00+08:00", "ends_at": "2026-06-19T00:00:00+08:00"}'
    r = api.raw("PUT", f"/console/brands/{slug}/campaign-rates/618", body, "application/json")
    assert r.status_code == 200 and r.json()["rate"] == "0.2500"
    assert [c["campaign"] for c in api.get(f"/console/brands/{slug}/campaign-rates").json()] == ["618"]
    outsider = Api(client, issue_token(shop.buyer))
    assert outsider.get(f"/console/brands/{slug}/campaign-rates").status_code == 403
