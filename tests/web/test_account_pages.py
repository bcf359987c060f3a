"""Login, registration, logout, profile and the language switch, as a browser would use them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import PASSWORD, UserFactory
from tests.web.conftest import png_upload
from tribe.accounts.models import User
from tribe.core.models import Event

pytestmark = pytest.mark.django_db

PROFILE = {
    "nickname": "小雨妈妈", "city": "杭州", "gender": "f", "birth_year": "1992", "bio": "两个娃的妈",
    "allow_promotions": "on", "show_reviews_to_friends": "on",
}


def text_of(response) -> str:
    return response.content.decode()


def test_register_logs_in_and_records_the_event(client):
    # when
    response = client.post("/accounts/register/", {
        "username": "xiaoyu", "nickname": "小雨", "city": "杭州", "password": PASSWORD, "password2": PASSWORD,
    })

    # then
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(username="xiaoyu")
    assert (user.nickname, user.city, user.allow_promotions) == ("小雨", "杭州", False)
    assert int(client.session["_auth_user_id"]) == user.id
    assert Event.objects.filter(name="register", actor=user).count() == 1
    assert "小雨" in text_of(client.get("/"))


def test_register_shows_service_errors_next_to_fields(client):
    # given
    UserFactory(username="taken")

    # when
    response = client.post("/accounts/register/", {
        "username": "taken", "password": "12345678", "password2": "12345678",
    })

    # then
    html = text_of(response)
    assert response.status_code == 400
    assert '<ul class="errorlist" data-testid="error-username"><li>该用户名已被注册</li></ul>' in html
    assert 'data-testid="error-password"' in html
    assert User.objects.filter(username="taken").count() == 1
    assert "_auth_user_id" not in client.session


def test_register_password_mismatch(client):
    response = client.post("/accounts/register/",
                           {"username": "newbie", "password": PASSWORD, "password2": "x"})
    assert response.status_code == 400
    assert "两次输入的密码不一致" in text_of(response)
    assert not User.objects.filter(username="newbie").exists()


def test_login_then_logout(client, user):
    # when
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})

    # then
    assert response.status_code == 302 and response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == user.id
    assert Event.objects.filter(name="login", actor=user).count() == 1

    # when
    response = client.post("/accounts/logout/")

    # then
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert Event.objects.filter(name="logout", actor=user).count() == 1


def test_logout_by_get_is_refused(client, user):
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    assert int(client.session["_auth_user_id"]) == user.id


def test_login_with_wrong_password_shows_an_error(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": "wrong-password"})
    assert response.status_code == 400
    assert "用户名或密码错误" in text_of(response)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(("next_url", "expected"), [
    ("/me/", "/me/"),
    ("/search/?q=%E5%A5%B6", "/search/?q=%E5%A5%B6"),
    ("https://evil.example.com/steal", "/"),
    ("//evil.example.com/", "/"),
    ("javascript:alert(1)", "/"),
])
def test_login_respects_next_only_for_same_site_urls(client, user, next_url, expected):
    form = {"username": user.username, "password": PASSWORD, "next": next_url}
    response = client.post("/accounts/login/", form)
    assert response.status_code == 302
    assert response["Location"] == expected


def test_login_page_carries_next_into_the_form(client):
    html = text_of(client.get("/accounts/login/?next=/me/"))
    assert '<input type="hidden" name="next" value="/me/">' in html


def test_profile_requires_login(client):
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/me/"


def test_profile_shows_current_values_with_promotions_off_by_default(client, user):
    client.force_login(user)
    html = text_of(client.get("/me/"))
    assert f'value="{user.nickname}"' in html
    assert '<input type="checkbox" name="allow_promotions" id="id_allow_promotions">' in html
    assert ('<input type="checkbox" name="show_reviews_to_friends" id="id_show_reviews_to_friends" checked>'
            in html)


def test_profile_update_saves_fields_and_consent_switches(client, user):
    # given
    client.force_login(user)

    # when
    response = client.post("/me/", PROFILE)

    # then
    assert response.status_code == 302 and response["Location"] == "/me/"
    user.refresh_from_db()
    assert (user.nickname, user.city, user.gender, user.birth_year, user.bio) == (
        "小雨妈妈", "杭州", "f", 1992, "两个娃的妈")
    assert (user.allow_promotions, user.allow_email_digest, user.show_purchases_to_friends,
            user.show_reviews_to_friends) == (True, False, False, True)
    assert "资料已保存" in text_of(client.get("/me/"))


def test_profile_rejects_future_birth_year_and_saves_nothing(client, user):
    # given
    client.force_login(user)
    before = user.nickname

    # when
    response = client.post("/me/", PROFILE | {"birth_year": "2099"})

    # then
    assert response.status_code == 400
    assert "请填写 1900 年到今年之间的年份" in text_of(response)
    user.refresh_from_db()
    assert (user.nickname, user.birth_year, user.allow_promotions) == (before, None, False)


def test_profile_avatar_upload_stores_a_reencoded_image(client, user):
    # given
    client.force_login(user)

    # when
    response = client.post("/me/", PROFILE | {"avatar": png_upload("me.png")})

    # then
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.avatar.name.startswith("avatars/") and user.avatar.name.endswith(".jpg")
    with user.avatar.open("rb") as f:
        assert f.read(3) == b"\xff\xd8\xff"  # JPEG, whatever was uploaded
    assert 'data-testid="avatar"' in text_of(client.get("/me/"))


def test_profile_text_file_as_avatar_shows_error_and_saves_nothing(client, user):
    # given
    client.force_login(user)
    before = user.nickname
    fake = SimpleUploadedFile("me.png", b"just some text, not an image", content_type="image/png")

    # when
    response = client.post("/me/", PROFILE | {"avatar": fake})

    # then
    html = text_of(response)
    assert response.status_code == 400
    assert '<ul class="errorlist" data-testid="error-avatar"><li>不是有效的图片</li></ul>' in html
    user.refresh_from_db()
    assert (user.avatar.name, user.nickname, user.allow_promotions) == ("", before, False)


def test_language_switch_to_english(client, db):
    # when
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    # then
    assert response.status_code == 302
    assert '<html lang="en">' in text_of(client.get("/"))

    # and back
    back = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}, follow=True)
    assert '<html lang="zh-hans">' in text_of(back)
