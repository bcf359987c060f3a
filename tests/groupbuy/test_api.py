import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.groupbuy.conftest import ADDRESS, join, open_, pay
from tribe.accounts.services import issue_token
from tribe.groupbuy.models import GroupBuy, GroupMember
from tribe.orders.models import Order

pytestmark = pytest.mark.django_db
API = "/api/v1"


def call(client, method, path, user=None, body=None):
    headers = {"Authorization": f"Bearer {issue_token(user)}"} if user else {}
    if method == "get":
        return client.get(API + path, headers=headers)
    return client.generic(method.upper(), API + path, json.dumps(body) if body is not None else "",
                          content_type="application/json", headers=headers)


def test_open_then_join_then_full_through_the_api(client, shop, deal, users):
    body = {"address": ADDRESS, "idempotency_key": "api-open-0001"}
    opened = call(client, "post", f"/groupbuys/{deal.pk}/groups", users[0], body)
    assert opened.status_code == 201 and opened.json()["total"] == "68.00"
    assert call(client, "post", f"/groupbuys/{deal.pk}/groups", users[0], body).status_code == 200  # replay
    group = GroupMember.objects.get(order__number=opened.json()["number"]).group

    info = call(client, "get", f"/groups/{group.pk}").json()
    assert (info["members"], info["seats_left"], info["state"]) == (1, 2, "open")
    assert info["member_list"][0]["is_leader"] is True

    for i, u in enumerate(users[1:3]):
        r = call(client, "post", f"/groups/{group.pk}/join", u,
                 {"address": ADDRESS, "idempotency_key": f"api-j-{i:05d}"})
        assert r.status_code == 201
    full = call(client, "post", f"/groups/{group.pk}/join", users[3],
                {"address": ADDRESS, "idempotency_key": "api-j-full"})
    assert full.status_code == 409
    assert full.json()["error"]["code"] == "group_full" and full.json()["error"]["fields"]["deal_id"] == deal.pk
    assert not Order.objects.filter(user=users[3]).exists()

    deal_info = call(client, "get", f"/groupbuys/{deal.pk}").json()
    assert deal_info["open_groups"] == []  # full groups are not offered to join
    assert deal_info["skus"][0]["price"] == "60.00"


def test_bad_input_is_a_clear_4xx(client, deal, users):
    r = call(client, "post", f"/groupbuys/{deal.pk}/groups", users[0], {"idempotency_key": "api-open-0001"})
    assert r.status_code == 422
    r = call(client, "post", f"/groupbuys/{deal.pk}/groups", users[0],
             {"address": ADDRESS, "sku_id": 999999, "idempotency_key": "api-open-0001"})
    assert r.status_code == 422 and r.json()["error"]["fields"] == {"sku_id": "unknown"}
    assert call(client, "post", "/groupbuys/999999/groups", users[0],
                {"address": ADDRESS, "idempotency_key": "api-open-0001"}).status_code == 404
    assert call(client, "post", f"/groupbuys/{deal.pk}/groups", None,
                {"address": ADDRESS, "idempotency_key": "api-open-0001"}).status_code == 401
    assert Order.objects.count() == 0


def test_expired_group_join_is_409(client, deal, users):
    import time_machine

    group = GroupMember.objects.get(order=open_(users[0], deal)).group
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        r = call(client, "post", f"/groups/{group.pk}/join", users[1],
                 {"address": ADDRESS, "idempotency_key": "late-0001"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "group_expired"


def test_console_crud_and_completion_rate(client, shop, users):
    staff, slug = shop["staff"], shop["brand"].slug
    sku = shop["sku"]
    now = timezone.now()
    body = {"title": "双人团", "product_id": shop["product"].pk, "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(days=3)).isoformat(), "group_size": 2, "hours": 12,
            "skus": [{"sku_id": sku.pk, "price": "70.00", "leader_price": "65.00"}]}
    created = call(client, "post", f"/console/brands/{slug}/groupbuys", staff, body)
    assert created.status_code == 201, created.json()
    deal_id = created.json()["id"]
    assert created.json()["status"] == "draft" and created.json()["skus"][0]["leader_price"] == "65.00"
    too_high = {**body, "skus": [{"sku_id": sku.pk, "price": "170.00"}]}
    r = call(client, "post", f"/console/brands/{slug}/groupbuys", staff, too_high)
    assert r.status_code == 422 and r.json()["error"]["code"] == "price_above_list"
    started = call(client, "post", f"/console/brands/{slug}/groupbuys/{deal_id}/start", staff)
    assert started.json()["status"] == "running"
    edit = {k: v for k, v in body.items() if k != "product_id"} | {"title": "双人团（改）"}
    edited = call(client, "put", f"/console/brands/{slug}/groupbuys/{deal_id}", staff, edit)
    assert edited.json()["title"] == "双人团（改）"
    assert call(client, "get", f"/console/brands/{slug}/groupbuys/{deal_id}", users[0]).status_code == 403

    deal = GroupBuy.objects.get(pk=deal_id)
    a, b, c = users[:3]
    order_a = open_(a, deal)
    pay(a, order_a)
    pay(b, join(b, GroupMember.objects.get(order=order_a).group))
    open_(c, deal, key="open-0002")  # stays open: not counted in the rate
    other = UserFactory()
    pay(other, open_(other, deal, key="open-0003"))
    from tribe.groupbuy.groups import expire_groups

    expire_groups(now=timezone.now() + timedelta(hours=13))
    stats = call(client, "get", f"/console/brands/{slug}/groupbuys/{deal_id}", staff).json()
    assert (stats["groups_total"], stats["groups_complete"], stats["groups_failed"]) == (3, 1, 2)
    assert stats["completion_rate"] == "0.3333"


@pytest.mark.parametrize("role, status", [("anonymous", 401), ("shopper", 403), ("other_staff", 403),
                                          ("staff", 200)])
def test_console_api_permissions(client, shop, deal, role, status):
    from tests.factories import MembershipFactory

    user = {"anonymous": None, "shopper": UserFactory(), "other_staff": MembershipFactory().user,
            "staff": shop["staff"]}[role]
    slug = shop["brand"].slug
    assert call(client, "get", f"/console/brands/{slug}/groupbuys", user).status_code == status
    moved = call(client, "post", f"/console/brands/{slug}/groupbuys/{deal.pk}/pause", user)
    assert moved.status_code == status
    deal.refresh_from_db()
    assert deal.status == ("paused" if status == 200 else "running")
