"""Group tablets and PINs: the rules in devices/services.py, through the real models and database."""

import datetime

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from devices import services
from devices.models import Pin, Tablet
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


def test_the_right_pin_opens_the_tablet_and_resets_the_count(cast, tablet_a):
    services.set_pin(cast.staff_a, "2580")
    for left in (4, 3, 2, 1):
        result = services.check_pin(cast.staff_a, tablet_a, "0000")
        assert result.outcome is PinOutcome.WRONG and result.tries_left == left
    assert services.check_pin(cast.staff_a, tablet_a, "2580").ok
    assert Pin.objects.get(user=cast.staff_a).failed_attempts == 0
    assert services.check_pin(cast.staff_a, tablet_a, "0000").tries_left == 4


def test_five_wrong_tries_lock_the_pin_until_the_password(cast, tablet_a):
    services.set_pin(cast.staff_a, "2580")
    outcomes = [services.check_pin(cast.staff_a, tablet_a, "1357").outcome for _ in range(5)]
    assert outcomes == [PinOutcome.WRONG] * 4 + [PinOutcome.LOCKED]
    # The right PIN no longer helps, and locked tries are not counted further.
    assert services.check_pin(cast.staff_a, tablet_a, "2580").outcome is PinOutcome.LOCKED
    record = Pin.objects.get(user=cast.staff_a)
    assert record.failed_attempts == 5 and record.locked_at is not None
    assert services.pin_status(cast.staff_a).locked
    services.password_confirmed(cast.staff_a)
    assert services.check_pin(cast.staff_a, tablet_a, "2580").ok


def test_the_limit_of_tries_is_a_setting(cast, tablet_a, settings):
    settings.TABLET_PIN_MAX_TRIES = 2
    services.set_pin(cast.staff_a, "2580")
    assert services.check_pin(cast.staff_a, tablet_a, "1357").tries_left == 1
    assert services.check_pin(cast.staff_a, tablet_a, "1357").outcome is PinOutcome.LOCKED


def test_a_new_pin_unlocks(cast, tablet_a):
    services.set_pin(cast.staff_a, "2580")
    for _ in range(5):
        services.check_pin(cast.staff_a, tablet_a, "1357")
    services.set_pin(cast.staff_a, "4680")
    assert services.check_pin(cast.staff_a, tablet_a, "4680").ok


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
    Pin.objects.filter(user=cast.staff_a).update(failed_attempts=5, locked_at=long_ago)
    client.post("/inloggen/", {"username": cast.staff_a.email, "password": f.PASSWORD})
    record = Pin.objects.get(user=cast.staff_a)
    assert record.password_confirmed_at > long_ago + datetime.timedelta(days=39)
    assert record.locked_at is None and record.failed_attempts == 0


def test_only_staff_of_the_group_switch_on_its_tablet(cast, tablet_a):
    for person in (cast.staff_b, cast.manager, cast.coach):
        services.set_pin(person, "2580")
        assert services.check_pin(person, tablet_a, "2580").outcome is PinOutcome.NOT_ALLOWED
    # Not allowed is not a wrong try of their PIN.
    assert Pin.objects.get(user=cast.staff_b).failed_attempts == 0


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
