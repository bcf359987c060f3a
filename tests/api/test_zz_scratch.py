from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.commerce import fill_cart, sku_of
from tests.api.test_checkout_api import body
from tests.factories import ProductFactory, StoreFactory


def test_show(api_as, world):
    stores = [world.store_a, StoreFactory()]
    skus = [sku_of(ProductFactory(store=stores[i % 2])) for i in range(2)]
    fill_cart(world.consumer, [(sku, 1) for sku in skus])
    api = api_as(world.consumer)
    with CaptureQueriesContext(connection) as ctx:
        r = api.post("/checkout", body())
    for i, q in enumerate(ctx.captured_queries):
        print(i + 1, q["sql"][:160])
    assert r.status_code == 201
