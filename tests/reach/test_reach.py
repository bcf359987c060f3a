"""Reach with consent: digest emails (opt-in, due periods, one-click unsubscribe), the station PWA, and Web Push
(consent, daily caps, expired endpoints removed)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.factories import MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tribe.core.errors import Conflict, PermissionDenied, ValidationFailed
from tribe.reach import services
from tribe.reach.models import DigestLog, PushDelivery, PushSubscription
from tribe.social.models import Follow

pytestmark = pytest.mark.django_db

SUB = {"endpoint": "https://push.example.com/send/abc123", "keys": {"p256dh": "B" * 87, "auth": "a" * 22}}


@pytest.fixture
def brand_setup(db):
    store = StoreFactory()
    staff = MembershipFactory(brand=store.brand).user
    return store.brand, store, staff


def _reader(brand, **kw):
    user = UserFactory(email=kw.pop("email", "reader@example.com"), allow_email_digest=kw.pop("digest", True), **kw)
    Follow.objects.create(follower=user, brand=brand)
    return user


def test_digest_goes_only_to_opted_in_users_with_news(brand_setup):
    brand, store, _ = brand_setup
    reader = _reader(brand)
    _reader(brand, email="no@example.com", digest=False)
    lurker = UserFactory(email="lurker@example.com", allow_email_digest=True)  # follows nothing: nothing new
    with time_machine.travel(timezone.now() - timedelta(days=1)):
        ProductFactory(store=store, name="春季新品风衣")
    done = services.send_due_digests()
    assert done == {"sent": 1, "empty": 1}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [reader.email] and "春季新品风衣" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert DigestLog.objects.get(user=lurker).sent is False
    # not due again for TRIBE_DIGEST_DAYS
    assert services.send_due_digests() == {"sent": 0, "empty": 0}
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        ProductFactory(store=store, name="夏季新品")
        assert services.send_due_digests()["sent"] == 1
    assert len(mail.outbox) == 2 and "春季新品风衣" not in mail.outbox[1].body


def test_one_click_unsubscribe(client, brand_setup):
    brand, store, _ = brand_setup
    reader = _reader(brand)
    token = services.unsubscribe_token(reader)
    page = client.get(f"/unsubscribe/{token}/")
    assert page.status_code == 200
    reader.refresh_from_db()
    assert reader.allow_email_digest  # a GET (mail scanners prefetch links) changes nothing
    done = client.post(f"/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    reader.refresh_from_db()
    assert not reader.allow_email_digest
    assert client.post(f"/unsubscribe/{token}x/").status_code == 404


def test_station_is_installable(client, brand_setup):
    brand, _, _ = brand_setup
    manifest = client.get(f"/b/{brand.slug}/manifest.webmanifest")
    assert manifest.status_code == 200
    data = manifest.json()
    assert data["display"] == "standalone" and data["start_url"].startswith(f"/b/{brand.slug}/")
    icon = client.get(data["icons"][0]["src"])
    assert icon.status_code == 200 and icon["Content-Type"] == "image/png" and icon.content[:4] == b"\x89PNG"
    assert client.get(f"/b/{brand.slug}/icon-100.png").status_code == 404
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and b"showNotification" in sw.content and sw["Service-Worker-Allowed"] == "/"
    page = client.get(f"/b/{brand.slug}/")
    assert f'rel="manifest" href="/b/{brand.slug}/manifest.webmanifest"'.encode() in page.content


def test_vapid_keys(settings, tmp_path):
    settings.TRIBE_VAPID_KEY_FILE = str(tmp_path / "vapid.pem")
    assert services.public_key() == ""
    path, key = services.generate_vapid_keys()
    assert path.exists() and len(key) == 87 and services.public_key() == key
    with pytest.raises(Conflict):
        services.generate_vapid_keys()


def test_subscribe_needs_consent_and_valid_input(brand_setup):
    brand, _, _ = brand_setup
    user = UserFactory(allow_promotions=False)
    with pytest.raises(PermissionDenied):
        services.subscribe(user, brand, SUB)
    user.allow_promotions = True
    with pytest.raises(ValidationFailed):
        services.subscribe(user, brand, {"endpoint": "http://insecure", "keys": SUB["keys"]})
    sub = services.subscribe(user, brand, SUB)
    assert services.subscribe(user, brand, SUB).pk == sub.pk  # the same browser again: one row


def test_push_respects_consent_and_the_daily_cap(settings, tmp_path, brand_setup, monkeypatch,
                                                 django_capture_on_commit_callbacks):
    settings.TRIBE_VAPID_KEY_FILE = str(tmp_path / "vapid.pem")
    settings.FEED_PROMO_PER_DAY = 2
    services.generate_vapid_keys()
    brand, _, staff = brand_setup
    fan = UserFactory(allow_promotions=True)
    gone = UserFactory(allow_promotions=True)
    services.subscribe(fan, brand, SUB)
    services.subscribe(gone, brand, {**SUB, "endpoint": "https://push.example.com/send/gone"})
    type(gone).objects.filter(pk=gone.pk).update(allow_promotions=True)
    revoked = UserFactory(allow_promotions=True)
    services.subscribe(revoked, brand, {**SUB, "endpoint": "https://push.example.com/send/revoked"})
    type(revoked).objects.filter(pk=revoked.pk).update(allow_promotions=False)  # consent withdrawn later
    sent = []

    class Gone(Exception):
        class response:  # noqa: N801 - mimics requests.Response
            status_code = 410

    def fake(info, data):
        if info["endpoint"].endswith("gone"):
            raise Gone("410 Gone")
        sent.append((info["endpoint"], data))

    monkeypatch.setattr(services, "_webpush", fake)
    for i in range(3):
        with django_capture_on_commit_callbacks(execute=False):
            message = services.create_push(staff, brand, title=f"上新 {i}", body="春季新品到店")
        services.deliver(message.pk)
    fan_states = list(PushDelivery.objects.filter(user=fan).order_by("pk").values_list("state", flat=True))
    assert fan_states == ["sent", "sent", "capped"]
    assert not PushDelivery.objects.filter(user=revoked).exists()
    assert not PushSubscription.objects.filter(user=gone).exists()  # 410: the subscription was removed
    assert len(sent) == 2 and "春季新品到店" in sent[0][1]
    with pytest.raises(ValidationFailed):
        services.create_push(staff, brand, title="", body="x")
    with pytest.raises(PermissionDenied):
        services.create_push(fan, brand, title="t", body="b")


def test_push_api_and_console(client, brand_setup, settings, tmp_path):
    settings.TRIBE_VAPID_KEY_FILE = str(tmp_path / "vapid.pem")
    brand, _, staff = brand_setup
    fan = UserFactory(allow_promotions=True)
    client.force_login(fan)
    r = client.post(f"/api/v1/brands/{brand.slug}/push-subscriptions", SUB, content_type="application/json")
    assert r.status_code == 201
    bad = client.post(f"/api/v1/brands/{brand.slug}/push-subscriptions", {"endpoint": 5},
                      content_type="application/json")
    assert bad.status_code == 422
    assert client.get("/api/v1/push/public-key").json()["configured"] is False
    client.force_login(staff)
    page = client.get(f"/console/{brand.slug}/reach/")
    assert page.status_code == 200
    assert b'data-testid="push-subscribers">1<' in page.content
    r = client.post(f"/api/v1/console/brands/{brand.slug}/pushes", {"title": "上新", "body": "新品"},
                    content_type="application/json")
    assert r.status_code == 201
    client.force_login(fan)
    assert client.get(f"/console/{brand.slug}/reach/").status_code == 403
    assert client.post(f"/api/v1/console/brands/{brand.slug}/pushes", {"title": "x", "body": "y"},
                       content_type="application/json").status_code == 403


def test_cli_vapid_keys_and_digests(tmp_path, capsys, brand_setup):
    from tribe.cli import main

    key_file = tmp_path / "k.pem"
    assert main(["vapid-keys", "--path", str(key_file)]) == 0
    assert key_file.exists() and '"public_key"' in capsys.readouterr().out
    assert main(["vapid-keys", "--path", str(key_file)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["send-digests"]) == 0
    assert '"sent": 0' in capsys.readouterr().out
