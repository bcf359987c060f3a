import pytest
from tests.orders.conftest import checkout, sku_of
from tests.payments.providers import alipay_config, keypair, wechat_config

from tribe.payments.admin import masked_config
from tribe.payments.models import Notification, PaymentAccount
from tribe.payments.services import handle_notification, start_payment


@pytest.fixture
def admin_client(client, operator):
    operator.is_superuser = True
    operator.save(update_fields=["is_superuser"])
    client.force_login(operator)
    return client


def test_masked_config_hides_every_secret():
    shown = masked_config(wechat_config())
    assert shown["private_key"] == shown["apiv3_key"] == "••••••"
    assert shown["public_key"] == "-----BEGIN PUBLIC KEY----- …"
    assert (shown["mchid"], shown["public_key_id"]) == ("1900000109", "PUB_KEY_ID_0119000001092024061500000001")
    assert masked_config(alipay_config())["app_private_key"] == "••••••"
    assert masked_config({"app_private_key": ""}) == {"app_private_key": ""}
    assert masked_config(["not", "a", "dict"]) == {}


def test_account_list_masks_private_keys(admin_client, shop):
    # given store accounts holding real-looking secrets
    PaymentAccount.objects.create(store=shop["store_a"], gateway="alipay", config=alipay_config())
    PaymentAccount.objects.create(store=shop["store_b"], gateway="wechat", config=wechat_config())
    # when an operator opens the list
    response = admin_client.get("/admin/payments/paymentaccount/")
    # then the config is shown, the secrets are not
    page = response.content.decode()
    assert response.status_code == 200
    assert "2021000000000001" in page and "1900000109" in page
    private_lines = [line for line in keypair("alipay-app").private_pem.splitlines() if not line.startswith("-----")]
    assert not any(line in page for line in private_lines[:3])
    assert wechat_config()["apiv3_key"] not in page
    assert page.count("••••••") == 3


def test_money_records_are_read_only(admin_client, shop, buyer):
    order = checkout(buyer, [(sku_of(shop["a"]), 1)])
    payment, _ = start_payment(buyer, order.pk, "dummy")
    handle_notification("dummy", {}, b"forged")
    note = Notification.objects.get()
    for url in ("/admin/payments/payment/", f"/admin/payments/payment/{payment.pk}/change/",
                "/admin/payments/notification/", f"/admin/payments/notification/{note.pk}/change/",
                "/admin/payments/refund/"):
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get("/admin/payments/notification/add/").status_code == 403
    assert admin_client.get("/admin/payments/payment/add/").status_code == 403
    # a POST to the change page cannot alter a payment
    admin_client.post(f"/admin/payments/payment/{payment.pk}/change/", {"status": "succeeded"})
    payment.refresh_from_db()
    assert payment.status == "created"
