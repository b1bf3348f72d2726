"""Group tablets and PINs: the rules in devices/services.py, through the real models and database."""

import datetime

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from devices import services
from devices.models import Pin, PinFailures, Tablet
from devices.services import PinOutcome
from staff.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def tablet_a(cast):
    tablet, _token = services.register_tablet(group=cast.group_a, name="Tablet A", by=cast.manager)
    return tablet


# --- tablets ---------------------------------------------------------------------------------------


def test_the_database_keeps_only_the_hash_of_the_token(cast):
    tablet, token = services.register_tablet(group=cast.group_a, name=" Tablet A ", by=cast.manager)
    assert len(token) >= 40
    assert tablet.token_hash != token and token not in tablet.token_hash
    assert tablet.token_hash == services.token_hash(token)
    assert tablet.name == "Tablet A" and tablet.registered_by == cast.manager
    assert services.tablet_for_token(token) == tablet
    assert services.tablet_for_token(token + "x") is None
    assert services.tablet_for_token("") is None


def test_each_registration_gets_its_own_token(cast):
    _first, one = services.register_tablet(group=cast.group_a, name="A", by=cast.manager)
    _second, two = services.register_tablet(group=cast.group_a, name="A", by=cast.manager)
    assert one != two


@pytest.mark.parametrize("who", ["staff_a", "coach", "admin", "other_admin"])
def test_only_a_manager_of_the_location_registers_a_tablet(cast, who):
    with pytest.raises(PermissionDenied):
        services.register_tablet(group=cast.group_a, name="A", by=getattr(cast, who))
    assert not Tablet.objects.exists()


def test_a_manager_registers_only_groups_of_their_own_locations(cast):
    assert set(services.registrable_groups(cast.manager)) == {cast.group_a, cast.group_b}
    with pytest.raises(PermissionDenied):
        services.register_tablet(group=cast.group_c, name="C", by=cast.manager)


def test_a_revoked_tablet_is_no_tablet_and_registering_again_replaces_the_old_one(cast):
    old, old_token = services.register_tablet(group=cast.group_a, name="A", by=cast.manager)
    new, new_token = services.register_tablet(group=cast.group_b, name="B", by=cast.manager, replacing=old)
    assert services.tablet_for_token(old_token) is None
    assert services.tablet_for_token(new_token) == new
    services.revoke_tablet(new, by=cast.manager)
    assert services.tablet_for_token(new_token) is None
    assert list(services.managed_tablets(cast.manager)) == []


def test_another_manager_cannot_unlink_a_tablet(cast, tablet_a):
    elsewhere = f.make_user("manager2@example.test")
    f.add_membership(elsewhere, Role.MANAGER, location=cast.location2)
    with pytest.raises(PermissionDenied):
        services.revoke_tablet(tablet_a, by=elsewhere)
    tablet_a.refresh_from_db()
    assert tablet_a.revoked_at is None


def test_the_screen_lists_the_active_staff_of_the_group_only(cast, tablet_a):
    colleague = f.make_user("colleague@example.test", first_name="Cor")
    f.add_membership(colleague, Role.STAFF, group=cast.group_a)
    gone = f.make_user("gone@example.test", first_name="Gijs", is_active=False)
    f.add_membership(gone, Role.STAFF, group=cast.group_a)
    assert list(services.staff_of_tablet(tablet_a)) == [cast.staff_a, colleague]  # Anna, Cor
    assert not services.may_use_tablet(cast.staff_b, tablet_a)  # staff of group B
    assert not services.may_use_tablet(cast.manager, tablet_a)
    assert not services.may_use_tablet(cast.coach, tablet_a)


# --- PINs ------------------------------------------------------------------------------------------


def test_a_pin_is_stored_hashed_with_the_password_hashers(cast):
    record = services.set_pin(cast.staff_a, "2580")
    assert "2580" not in record.pin_hash
    assert identify_hasher(record.pin_hash).algorithm  # a Django hasher made it
    assert check_password("2580", record.pin_hash) and not check_password("2581", record.pin_hash)
    again = services.set_pin(cast.staff_a, "2580")
    assert again.pin_hash != record.pin_hash  # salted
    assert Pin.objects.count() == 1


@pytest.mark.parametrize("pin", ["", "123", "1234567", "12a4", "12 34", "١٢٣٤"])
def test_a_pin_has_4_to_6_digits(cast, pin):
    with pytest.raises(ValidationError):
        services.set_pin(cast.staff_a, pin)
    assert not Pin.objects.exists()


@pytest.mark.parametrize("pin", ["1111", "1234", "987654", "000000"])
def test_an_easy_pin_is_refused(cast, pin):
    with pytest.raises(ValidationError):
        services.set_pin(cast.staff_a, pin)


@pytest.mark.parametrize("pin", ["2580", "13579", "904712"])
def test_a_pin_of_4_to_6_digits_is_taken(cast, pin):
    services.set_pin(cast.staff_a, pin)
    assert Pin.objects.filter(user=cast.staff_a).exists()


def wrong(user, tablet, now):
    return services.check_pin(user, tablet, "1357", now=now)


def fail_until_locked(user, tablet):
    """Wrong PINs, each after the pause the one before set, up to the password requirement."""
    now = timezone.now() - datetime.timedelta(hours=1)
    while (result := wrong(user, tablet, now)).outcome is not PinOutcome.LOCKED:
        now += datetime.timedelta(seconds=result.wait_seconds)
    return now


def test_the_right_pin_opens_the_tablet_and_resets_the_count(cast, tablet_a):
    services.set_pin(cast.staff_a, "2580")
    now = timezone.now()
    for left in (2, 1, 0):
        result = wrong(cast.staff_a, tablet_a, now)
        assert result.outcome is PinOutcome.WRONG and result.free_tries_left == left and result.wait_seconds == 0
    result = services.check_pin(cast.staff_a, tablet_a, "2580", now=now)
    assert result.ok and result.missed == services.MissedPins(3, now)
    assert not PinFailures.objects.exists()
    assert wrong(cast.staff_a, tablet_a, now).free_tries_left == 2


def test_three_free_tries_then_a_growing_pause_then_the_password_on_this_tablet(cast, tablet_a):
    services.set_pin(cast.staff_a, "2580")
    now = timezone.now()
    for _ in range(3):
        assert wrong(cast.staff_a, tablet_a, now).wait_seconds == 0
    for pause in (30, 60, 120):
        result = wrong(cast.staff_a, tablet_a, now)
        assert result.outcome is PinOutcome.WRONG and result.wait_seconds == pause
        # During the pause even the right PIN is not checked, and the try is not counted.
        early = services.check_pin(cast.staff_a, tablet_a, "2580", now=now + datetime.timedelta(seconds=pause - 1))
        assert early.outcome is PinOutcome.WAIT and early.wait_seconds == 1
        assert services.pin_wait(cast.staff_a, tablet_a, now=now) == pause
        now += datetime.timedelta(seconds=pause)
    # The seventh wrong PIN (TABLET_PIN_MAX_TRIES) asks for the password on this tablet.
    assert wrong(cast.staff_a, tablet_a, now).outcome is PinOutcome.LOCKED
    assert services.check_pin(cast.staff_a, tablet_a, "2580", now=now).outcome is PinOutcome.LOCKED
    assert services.pin_locked_on(cast.staff_a, tablet_a) and services.pin_status(cast.staff_a).locked
    assert PinFailures.objects.get(user=cast.staff_a).failures == 7
    services.password_confirmed(cast.staff_a)
    result = services.check_pin(cast.staff_a, tablet_a, "2580", now=now)
    # The password ended the lock; the wrong tries are told at this unlock.
    assert result.ok and result.missed is not None and result.missed.count == 7


def test_one_persons_wrong_pins_never_slow_down_a_colleague(cast, tablet_a):
    colleague = f.make_user("cor@example.test", first_name="Cor")
    f.add_membership(colleague, Role.STAFF, group=cast.group_a)
    services.set_pin(cast.staff_a, "2580")
    services.set_pin(colleague, "4680")
    now = fail_until_locked(cast.staff_a, tablet_a)
    assert services.pin_locked_on(cast.staff_a, tablet_a)
    assert services.pin_wait(colleague, tablet_a, now=now) == 0 and not services.pin_locked_on(colleague, tablet_a)
    result = services.check_pin(colleague, tablet_a, "4680", now=now)
    assert result.ok and result.missed is None


def test_wrong_pins_on_one_tablet_do_not_hold_on_another(cast, tablet_a):
    other, _token = services.register_tablet(group=cast.group_a, name="Tablet A2", by=cast.manager)
    services.set_pin(cast.staff_a, "2580")
    now = fail_until_locked(cast.staff_a, tablet_a)
    assert services.check_pin(cast.staff_a, other, "2580", now=now).ok
    assert services.check_pin(cast.staff_a, tablet_a, "2580", now=now).outcome is PinOutcome.LOCKED


def test_the_limits_are_settings(cast, tablet_a, settings):
    settings.TABLET_PIN_FREE_TRIES = 1
    settings.TABLET_PIN_FIRST_PAUSE_SECONDS = 10
    settings.TABLET_PIN_MAX_TRIES = 3
    services.set_pin(cast.staff_a, "2580")
    now = timezone.now()
    assert wrong(cast.staff_a, tablet_a, now).wait_seconds == 0
    assert wrong(cast.staff_a, tablet_a, now).wait_seconds == 10
    now += datetime.timedelta(seconds=10)
    assert wrong(cast.staff_a, tablet_a, now).outcome is PinOutcome.LOCKED


def test_a_new_pin_unlocks(cast, tablet_a):
    services.set_pin(cast.staff_a, "2580")
    fail_until_locked(cast.staff_a, tablet_a)
    services.set_pin(cast.staff_a, "4680")
    result = services.check_pin(cast.staff_a, tablet_a, "4680")
    assert result.ok and result.missed is not None and result.missed.count == 7


def test_the_wrong_tries_go_with_the_tablet(cast, tablet_a):
    services.set_pin(cast.staff_a, "2580")
    wrong(cast.staff_a, tablet_a, timezone.now())
    tablet_a.delete()
    assert not PinFailures.objects.exists()


def test_the_pin_asks_for_the_full_password_after_30_days(cast, tablet_a):
    now = timezone.now()
    services.set_pin(cast.staff_a, "2580", now=now - datetime.timedelta(days=29, hours=23))
    assert services.check_pin(cast.staff_a, tablet_a, "2580", now=now).ok
    Pin.objects.filter(user=cast.staff_a).update(password_confirmed_at=now - datetime.timedelta(days=30, minutes=1))
    assert services.check_pin(cast.staff_a, tablet_a, "2580", now=now).outcome is PinOutcome.PASSWORD_NEEDED
    assert services.pin_status(cast.staff_a).password_needed
    services.password_confirmed(cast.staff_a, now=now)
    assert services.check_pin(cast.staff_a, tablet_a, "2580", now=now).ok
    assert services.pin_status(cast.staff_a).valid_until == now + datetime.timedelta(days=30)


def test_a_login_with_the_password_renews_the_pin_and_a_pin_login_does_not(cast, client, tablet_a):
    long_ago = timezone.now() - datetime.timedelta(days=40)
    services.set_pin(cast.staff_a, "2580", now=long_ago)
    PinFailures.objects.create(
        user=cast.staff_a,
        tablet=tablet_a,
        failures=7,
        password_required_at=long_ago,
        unreported=7,
        unreported_since=long_ago,
    )
    client.post("/inloggen/", {"username": cast.staff_a.email, "password": f.PASSWORD})
    record = Pin.objects.get(user=cast.staff_a)
    assert record.password_confirmed_at > long_ago + datetime.timedelta(days=39)
    failures = PinFailures.objects.get(user=cast.staff_a)
    assert failures.password_required_at is None and failures.failures == 0
    assert failures.unreported == 7  # told at the next unlock on that tablet


def test_only_staff_of_the_group_switch_on_its_tablet(cast, tablet_a):
    for person in (cast.staff_b, cast.manager, cast.coach):
        services.set_pin(person, "2580")
        assert services.check_pin(person, tablet_a, "2580").outcome is PinOutcome.NOT_ALLOWED
    # Not allowed is not a wrong try of their PIN.
    assert not PinFailures.objects.exists()


def test_nobody_switches_on_a_revoked_tablet_or_as_an_inactive_user(cast, tablet_a):
    services.set_pin(cast.staff_a, "2580")
    cast.staff_a.is_active = False
    cast.staff_a.save()
    assert services.check_pin(cast.staff_a, tablet_a, "2580").outcome is PinOutcome.NOT_ALLOWED
    cast.staff_a.is_active = True
    cast.staff_a.save()
    services.revoke_tablet(tablet_a, by=cast.manager)
    tablet_a.refresh_from_db()
    assert services.check_pin(cast.staff_a, tablet_a, "2580").outcome is PinOutcome.NOT_ALLOWED


def test_without_a_pin_the_tablet_asks_for_the_password(cast, tablet_a):
    assert services.check_pin(cast.staff_a, tablet_a, "2580").outcome is PinOutcome.NO_PIN
    assert not services.pin_status(cast.staff_a).has_pin
    services.set_pin(cast.staff_a, "2580")
    services.remove_pin(cast.staff_a)
    assert services.check_pin(cast.staff_a, tablet_a, "2580").outcome is PinOutcome.NO_PIN
