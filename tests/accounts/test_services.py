import pytest

from tribe.accounts.models import ApiToken, User
from tribe.accounts.services import (
    issue_token,
    login_user,
    register_user,
    revoke_token,
    update_profile,
    user_for_token,
)
from tribe.core.errors import NotAuthenticated, ValidationFailed
from tribe.core.models import Event


def test_register_creates_user_with_promotions_off_and_records_event(db):
    user = register_user("lily_88", "a-long-pass-word", nickname="莉莉", city="杭州")
    assert (user.nickname, user.city, user.allow_promotions, user.show_reviews_to_friends) == (
        "莉莉", "杭州", False, True
    )
    assert user.show_purchases_to_friends is False
    assert Event.objects.filter(name="register", actor=user).count() == 1


@pytest.mark.parametrize(
    "username,password,field",
    [("ab", "a-long-pass-word", "username"), ("bad name!", "a-long-pass-word", "username"),
     ("goodname", "123", "password"), ("goodname", "12345678", "password")],
)
def test_register_refuses_bad_input_and_stores_nothing(db, username, password, field):
    with pytest.raises(ValidationFailed) as exc:
        register_user(username, password)
    assert field in exc.value.fields
    assert User.objects.count() == 0


def test_register_refuses_duplicate_username_case_insensitively(user):
    with pytest.raises(ValidationFailed) as exc:
        register_user(user.username.upper(), "a-long-pass-word")
    assert exc.value.fields == {"username": "already taken"}


def test_login_and_tokens(user, password):
    assert login_user(user.username, password) == user
    with pytest.raises(NotAuthenticated):
        login_user(user.username, "wrong-password")
    raw = issue_token(user)
    assert ApiToken.objects.get().key_hash != raw  # only the hash is stored
    assert user_for_token(raw) == user
    assert user_for_token(raw + "x") is None
    assert revoke_token(raw) == 1
    assert user_for_token(raw) is None


def test_update_profile_validates_all_before_saving(user):
    with pytest.raises(ValidationFailed) as exc:
        update_profile(user, {"nickname": "新名字", "birth_year": 1800, "allow_promotions": "yes", "x": 1})
    assert set(exc.value.fields) == {"birth_year", "allow_promotions", "x"}
    user.refresh_from_db()
    assert user.nickname != "新名字"
    update_profile(user, {"nickname": "<b>新名字</b>", "birth_year": 1990, "allow_promotions": True, "gender": "f"})
    user.refresh_from_db()
    assert (user.nickname, user.birth_year, user.allow_promotions, user.gender) == ("<b>新名字</b>", 1990, True, "f")
