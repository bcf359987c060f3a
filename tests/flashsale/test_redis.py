"""The Redis pre-deduction (skipped without a Redis at localhost:6379; uses db 15 and deletes its keys)."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tribe.flashsale import rush
from tribe.flashsale.models import FlashItem
from tribe.orders.models import Order
from tribe.orders.services import cancel_order

from .conftest import buy, make_sale

REDIS = "redis://localhost:6379/15"


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=0.3).ping())
    except Exception:  # noqa: BLE001
        return False


pytestmark = pytest.mark.skipif(not _redis_up(), reason="no Redis at localhost:6379")


@pytest.fixture
def redis_on(settings):
    settings.REDIS_URL = REDIS
    yield
    r = rush.client()
    keys = list(r.scan_iter("tribe:flash:*"))
    if keys:
        r.delete(*keys)
    settings.REDIS_URL = ""


def test_start_sets_the_counter_and_buying_takes_from_it(shop, redis_on, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sale, item = make_sale(shop, quantity=3)
    assert rush.redis_value(item.pk) == 3

    buy(UserFactory(), {"sale": sale, "item": item}, "flash-redis-0001")

    assert rush.redis_value(item.pk) == 2
    item.refresh_from_db()
    assert item.left == 2


def test_an_empty_counter_answers_sold_out_without_the_database(shop, redis_on, django_capture_on_commit_callbacks,
                                                                 django_assert_max_num_queries):
    with django_capture_on_commit_callbacks(execute=True):
        sale, item = make_sale(shop, quantity=3)
    rush.client().set(rush.counter_key(item.pk), 0)
    user = UserFactory()

    with pytest.raises(Exception) as err, django_assert_max_num_queries(4):  # input, key lookup, item, quota
        buy(user, {"sale": sale, "item": item}, "flash-redis-0002")
    assert getattr(err.value, "code", "") == "sold_out"
    item.refresh_from_db()
    assert item.left == 3 and Order.objects.count() == 0


def test_a_database_refusal_gives_the_counter_back(shop, redis_on, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sale, item = make_sale(shop, quantity=3, limit=1)
    user = UserFactory()
    buy(user, {"sale": sale, "item": item}, "flash-redis-0003")

    with pytest.raises(Exception) as err:
        buy(user, {"sale": sale, "item": item}, "flash-redis-0004", qty=1)
    assert getattr(err.value, "code", "") == "limit_reached"
    assert rush.redis_value(item.pk) == 2


def test_a_cancel_gives_the_counter_back_and_the_end_drops_it(shop, redis_on, django_capture_on_commit_callbacks):
    from tribe.flashsale import services

    with django_capture_on_commit_callbacks(execute=True):
        sale, item = make_sale(shop, quantity=3)
    user = UserFactory()
    order = buy(user, {"sale": sale, "item": item}, "flash-redis-0005")
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(user, order.pk)
    assert rush.redis_value(item.pk) == 3

    with django_capture_on_commit_callbacks(execute=True):
        services.end_sale(shop["staff"], sale)
    assert rush.redis_value(item.pk) is None


def test_a_missing_counter_falls_back_to_the_database(shop, redis_on):
    sale, item = make_sale(shop, quantity=2)  # on_commit not run: no counter in Redis
    assert rush.redis_value(item.pk) is None

    buy(UserFactory(), {"sale": sale, "item": item}, "flash-redis-0006")

    assert FlashItem.objects.get(pk=item.pk).left == 1


def test_redis_down_falls_back_to_the_database(shop, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/15"  # nothing listens there
    sale, item = make_sale(shop, quantity=2)

    order = buy(UserFactory(), {"sale": sale, "item": item}, "flash-redis-0007")

    assert order.pk and FlashItem.objects.get(pk=item.pk).left == 1
