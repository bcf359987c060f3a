"""Join policies, staff decisions, and the program's anti-pyramid limits."""

from decimal import Decimal

import pytest

from tests.factories import BrandFactory, UserFactory
from tribe.core.errors import Conflict, PermissionDenied, ValidationFailed
from tribe.distribution import services
from tribe.distribution.models import Promoter, PromoterProgram

S = Promoter.State


@pytest.mark.parametrize("policy, expected", [("anyone", S.ACTIVE), ("apply", S.PENDING)])
def test_join_policy_sets_the_state(db, policy, expected):
    # given
    brand = BrandFactory()
    PromoterProgram.objects.create(brand=brand, join_policy=policy)
    user = UserFactory()
    # when
    promoter = services.join(user, brand)
    # then
    assert promoter.state == expected
    user.refresh_from_db()
    assert user.is_promoter is (expected == S.ACTIVE)


def test_invite_only_refuses_strangers_and_accepts_the_invited(db):
    # given
    brand = BrandFactory()
    PromoterProgram.objects.create(brand=brand, join_policy="invite")
    staff = UserFactory(is_staff=True)
    stranger, invited = UserFactory(), UserFactory()
    # when / then
    with pytest.raises(PermissionDenied):
        services.join(stranger, brand)
    assert not Promoter.objects.filter(user=stranger).exists()
    services.invite(staff, brand, invited.username)
    assert services.join(invited, brand).state == S.ACTIVE


def test_join_without_program_uses_apply_default_and_is_idempotent(db):
    brand, user = BrandFactory(), UserFactory()
    first = services.join(user, brand)
    again = services.join(user, brand)
    assert (first.pk, first.state) == (again.pk, S.PENDING)
    assert Promoter.objects.filter(user=user).count() == 1


def test_banned_cannot_rejoin_and_frozen_gets_conflict(db):
    brand = BrandFactory()
    PromoterProgram.objects.create(brand=brand, join_policy="anyone")
    banned = Promoter.objects.create(brand=brand, user=UserFactory(), state=S.BANNED)
    frozen = Promoter.objects.create(brand=brand, user=UserFactory(), state=S.FROZEN)
    with pytest.raises(PermissionDenied):
        services.join(banned.user, brand)
    with pytest.raises(Conflict):
        services.join(frozen.user, brand)


@pytest.mark.parametrize("action, start, end", [
    ("approve", S.PENDING, S.ACTIVE), ("reject", S.PENDING, S.REJECTED), ("freeze", S.ACTIVE, S.FROZEN),
    ("unfreeze", S.FROZEN, S.ACTIVE), ("ban", S.ACTIVE, S.BANNED),
])
def test_staff_decisions(shop, action, start, end):
    p = Promoter.objects.create(brand=shop.brand, user=UserFactory(), state=start)
    assert services.decide(shop.staff, shop.brand, p.pk, action).state == end


def test_decision_from_wrong_state_is_conflict_and_stranger_is_forbidden(shop):
    with pytest.raises(Conflict):
        services.decide(shop.staff, shop.brand, shop.promoter.pk, "approve")  # already active
    with pytest.raises(PermissionDenied):
        services.decide(UserFactory(), shop.brand, shop.promoter.pk, "freeze")
    shop.promoter.refresh_from_db()
    assert shop.promoter.state == S.ACTIVE


def test_program_refuses_more_than_two_promoters_per_line(shop):
    with pytest.raises(ValidationFailed) as err:
        services.save_program(shop.staff, shop.brand, max_promoters_per_line=3)
    assert err.value.fields == {"max_promoters_per_line": "at most 2"}
    shop.program.refresh_from_db()
    assert shop.program.max_promoters_per_line == 1


@pytest.mark.parametrize("data, field", [
    ({"default_rate": "0.12345"}, "default_rate"), ({"default_rate": "0.9"}, "default_rate"),
    ({"window_days": 0}, "window_days"), ({"binding": "forever"}, "binding"),
    ({"recruit_bonus": "0.05"}, "recruit_bonus"), ({"join_fee": "9.90"}, "join_fee"),
])
def test_program_refuses_bad_or_pyramid_settings(shop, data, field):
    with pytest.raises(ValidationFailed) as err:
        services.save_program(shop.staff, shop.brand, **data)
    assert field in err.value.fields


def test_program_saves_valid_settings(shop):
    program = services.save_program(shop.staff, shop.brand, binding="last_click", default_rate="0.0500",
                                    max_promoters_per_line=2)
    assert (program.binding, program.default_rate, program.max_promoters_per_line) == (
        "last_click", Decimal("0.0500"), 2)
