"""Registration, tokens, profile, consent and avatar through the API."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests.factories import MembershipFactory, UserFactory
from tests.images import png_upload, text_upload
from tribe.accounts.models import ApiToken, User
from tribe.brands.models import BrandMembership
from tribe.core.models import Event

from .conftest import error_of

pytestmark = pytest.mark.django_db


def test_register_creates_a_consumer_with_promotions_off_and_records_the_event(anon):
    # when
    response = anon.post(
        "/auth/register",
        {"username": "mama_li", "password": "Nuan-yang-2024", "nickname": "李妈妈", "city": "杭州"},
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert body["username"] == "mama_li"
    assert body["nickname"] == "李妈妈"
    assert body["city"] == "杭州"
    assert body["allow_promotions"] is False
    assert body["is_platform_operator"] is False
    assert body["staff_of"] == []
    assert "password" not in body
    user = User.objects.get(username="mama_li")
    assert user.check_password("Nuan-yang-2024")
    assert Event.objects.filter(name="register", actor=user).count() == 1


def test_register_with_a_taken_name_and_a_weak_password_is_422_and_stores_nothing(anon, user):
    # given
    before = User.objects.count()
    # when
    response = anon.post("/auth/register", {"username": user.username, "password": "123"})
    # then
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"username", "password"}
    assert User.objects.count() == before
    assert not Event.objects.filter(name="register").exists()


def test_token_login_issues_a_token_that_authenticates_and_records_login(anon, client, user, password):
    # when
    response = anon.post("/auth/token", {"username": user.username, "password": password})
    # then
    assert response.status_code == 201
    token = response.json()["token"]
    assert token.startswith("trb_")
    expires_at = datetime.fromisoformat(response.json()["expires_at"])
    assert abs(expires_at - ApiToken.objects.get(user=user).expires_at) < timedelta(milliseconds=1)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["username"] == user.username
    assert Event.objects.filter(name="login", actor=user).count() == 1


def test_token_login_with_a_wrong_password_is_401_and_issues_nothing(anon, user):
    # when
    response = anon.post("/auth/token", {"username": user.username, "password": "wrong-password-1"})
    # then
    assert response.status_code == 401
    assert error_of(response)["code"] == "bad_credentials"
    assert ApiToken.objects.count() == 0
    assert not Event.objects.filter(name="login").exists()


def test_revoking_the_token_signs_out(api_as, client, user):
    # given
    api = api_as(user)
    # when
    response = api.delete("/auth/token")
    # then
    assert response.status_code == 204
    assert ApiToken.objects.filter(user=user).count() == 0
    assert api.get("/me").status_code == 401


def test_me_without_a_token_is_401(anon):
    response = anon.get("/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_me_with_a_bad_token_is_401(client, db):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer trb_not-a-real-token"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_public_reads_refuse_a_bad_token_instead_of_treating_it_as_anonymous(client, db):
    response = client.get("/api/v1/products", headers={"Authorization": "Bearer trb_expired"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_me_shows_the_brands_i_am_staff_of(api_as):
    # given
    membership = MembershipFactory(role=BrandMembership.Role.OWNER)
    # when
    response = api_as(membership.user).get("/me")
    # then
    assert response.status_code == 200
    assert response.json()["staff_of"] == [
        {
            "brand": {
                "id": membership.brand.id,
                "slug": membership.brand.slug,
                "name": membership.brand.name,
                "kind": "flagship",
                "logo_url": None,
            },
            "role": "owner",
        }
    ]


def test_session_login_also_authenticates_the_api(client, user):
    # given
    client.force_login(user)
    # when
    response = client.get("/api/v1/me")
    # then
    assert response.status_code == 200
    assert response.json()["id"] == user.id


def test_patch_me_changes_profile_and_consent(api_as, user):
    # when
    response = api_as(user).patch(
        "/me", {"nickname": "小暖", "birth_year": 1992, "gender": "f", "allow_promotions": True}
    )
    # then
    assert response.status_code == 200
    assert response.json()["nickname"] == "小暖"
    assert response.json()["allow_promotions"] is True
    user.refresh_from_db()
    assert (user.nickname, user.birth_year, user.gender, user.allow_promotions) == ("小暖", 1992, "f", True)
    assert user.allow_email_digest is False  # untouched


def test_patch_me_with_wrong_types_or_unknown_fields_is_422_and_changes_nothing(api_as):
    # given
    user = UserFactory(nickname="原名")
    api = api_as(user)
    # when
    response = api.patch(
        "/me", {"nickname": "新名", "allow_promotions": "yes", "birth_year": "1990", "is_staff": True}
    )
    # then
    assert response.status_code == 422
    error = error_of(response)
    assert set(error["fields"]) == {"allow_promotions", "birth_year", "is_staff"}
    user.refresh_from_db()
    assert (user.nickname, user.allow_promotions, user.birth_year, user.is_staff) == (
        "原名",
        False,
        None,
        False,
    )


def test_patch_me_with_an_out_of_range_year_is_422_from_the_service(api_as, user):
    response = api_as(user).patch("/me", {"birth_year": 1800, "nickname": "改了吗"})
    assert response.status_code == 422
    this_year = timezone.localdate().year
    assert error_of(response)["fields"] == {"birth_year": f"a year between 1900 and {this_year}"}
    user.refresh_from_db()
    assert user.nickname != "改了吗"


def test_avatar_upload_stores_a_reencoded_image(api_as, user):
    # when
    response = api_as(user).upload("/me/avatar", file=png_upload())
    # then
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.avatar.name.endswith(".jpg")
    assert response.json()["avatar_url"] == "http://testserver" + user.avatar.url


def test_avatar_upload_of_a_non_image_is_422_and_keeps_no_file(api_as, user):
    # when
    response = api_as(user).upload("/me/avatar", file=text_upload())
    # then
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_image"
    user.refresh_from_db()
    assert not user.avatar
