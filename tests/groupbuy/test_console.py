from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import MembershipFactory, UserFactory
from tests.groupbuy.conftest import join, open_, pay
from tribe.groupbuy.models import GroupBuy, GroupBuySku, GroupMember

pytestmark = pytest.mark.django_db


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_staff_create_edit_start_and_end_a_deal(client, shop):
    client.force_login(shop["staff"])
    base = f"/console/{shop['brand'].slug}/groupbuy/"
    assert client.get(base).status_code == 200
    assert client.get(base + "new/").status_code == 200
    now = timezone.now()
    form = {"title": "周末双人团", "description": "", "starts_at": _local(now - timedelta(hours=1)),
            "ends_at": _local(now + timedelta(days=2)), "group_size": "2", "hours": "24", "per_user_limit": "1",
            "product_id": str(shop["product"].pk), "price": "80.00", "leader_price": ""}
    bad = client.post(base + "new/", {**form, "price": "180.00"})
    assert bad.status_code == 422 and not GroupBuy.objects.exists()
    response = client.post(base + "new/", form)
    deal = GroupBuy.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{base}{deal.pk}/"
    assert deal.status == "draft" and GroupBuySku.objects.get(deal=deal).price == 80

    sku = shop["sku"]
    edit = {**form, "title": "周末双人团 2", f"price_{sku.pk}": "75.00", f"leader_{sku.pk}": "70.00"}
    assert client.post(f"{base}{deal.pk}/", edit).status_code == 302
    row = GroupBuySku.objects.get(deal=deal)
    assert (row.price, row.leader_price) == (75, 70)
    assert client.post(f"{base}{deal.pk}/start/").status_code == 302
    deal.refresh_from_db()
    assert deal.status == "running"

    a, b = UserFactory(), UserFactory()
    order_a = open_(a, deal)
    pay(a, order_a)
    pay(b, join(b, GroupMember.objects.get(order=order_a).group))
    page = client.get(f"{base}{deal.pk}/").content.decode()
    assert "100%" in page and page.count('data-testid="group-row"') == 1
    assert client.post(f"{base}{deal.pk}/end/").status_code == 302
    deal.refresh_from_db()
    assert deal.status == "ended"


def test_other_brands_staff_and_shoppers_are_kept_out(client, shop, deal):
    base = f"/console/{shop['brand'].slug}/groupbuy/"
    client.force_login(UserFactory())
    assert client.get(base).status_code == 403
    assert client.post(f"{base}{deal.pk}/end/").status_code == 403
    other = MembershipFactory().user
    client.force_login(other)
    assert client.get(f"{base}{deal.pk}/").status_code == 403
    deal.refresh_from_db()
    assert deal.status == "running"
