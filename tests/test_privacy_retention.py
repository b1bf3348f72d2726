"""Retention (issue 10): `apply_retention` removes each child whose last placement ended more than
RETENTION_MONTHS_AFTER_LEAVING months ago, unless the parents' consent still runs."""

import datetime
import io

import pytest
from django.core.management import call_command

from access_log.models import AccessLog
from children.models import Child, Placement
from organisations.calendar import add_months, today
from privacy.models import RetentionConsent
from privacy.retention import children_due
from tests import factories as f
from tests.observation_factories import make_observation
from tests.privacy_data import NAME, database_dump, rich_child, traces


def _leave(child, on):
    Placement.objects.filter(child=child).update(end_date=on)


def _run(*args):
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def test_add_months_keeps_the_day_or_takes_the_last_of_the_month():
    assert add_months(datetime.date(2026, 5, 31), -3) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 1, 15), -3) == datetime.date(2025, 10, 15)
    assert add_months(datetime.date(2025, 11, 30), 3) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)


@pytest.mark.django_db
def test_a_child_is_due_the_day_after_the_period_ends(cast):
    left = datetime.date(2026, 1, 31)
    _leave(cast.child_a, left)
    Placement.objects.filter(child=cast.child_a).update(start_date=datetime.date(2025, 1, 6))
    due = {d.child for d in children_due(on=datetime.date(2026, 4, 30), months=3)}
    assert cast.child_a not in due  # exactly three months: still kept
    due = children_due(on=datetime.date(2026, 5, 1), months=3)
    assert [d.child for d in due] == [cast.child_a]
    assert (due[0].left_on, due[0].due_since) == (left, datetime.date(2026, 5, 1))


@pytest.mark.django_db
def test_placed_children_and_children_with_a_later_placement_stay(cast):
    old = today() - datetime.timedelta(days=200)
    _leave(cast.child_a, old)  # left long ago ...
    Placement.objects.create(child=cast.child_a, group=cast.group_b, start_date=old, end_date=today())  # ... but back
    _leave(cast.child_b, old)
    Placement.objects.create(child=cast.child_b, group=cast.group_c, start_date=old)  # an open placement
    unplaced = Child.objects.create(organisation=cast.org, first_name="Los", last_name="Kind", date_of_birth=old)
    due = {d.child for d in children_due(months=3)}
    assert cast.child_a not in due and cast.child_b not in due and unplaced not in due


@pytest.mark.django_db
def test_a_running_consent_keeps_the_record_and_an_expired_one_does_not(cast):
    _leave(cast.child_a, today() - datetime.timedelta(days=200))
    consent = RetentionConsent.objects.create(
        child=cast.child_a,
        kind=RetentionConsent.Kind.HAND_OVER,
        given_on=today() - datetime.timedelta(days=210),
        until=today(),
    )
    assert cast.child_a not in {d.child for d in children_due(months=3)}
    consent.until = today() - datetime.timedelta(days=1)
    consent.save()
    assert cast.child_a in {d.child for d in children_due(months=3)}


@pytest.mark.django_db
def test_the_setting_sets_the_period(cast, settings):
    _leave(cast.child_a, today() - datetime.timedelta(days=100))
    settings.RETENTION_MONTHS_AFTER_LEAVING = 6
    assert "0 record(s) due" in _run("--dry-run")
    settings.RETENTION_MONTHS_AFTER_LEAVING = 3
    assert "1 record(s) due" in _run("--dry-run")


@pytest.mark.django_db
def test_the_dry_run_names_what_would_go_and_removes_nothing(cast):
    make_observation(cast.child_a, cast.staff_a, date=today() - datetime.timedelta(days=130))
    _leave(cast.child_a, today() - datetime.timedelta(days=120))
    output = _run("--dry-run")
    assert "1 record(s) due (dry run: nothing is removed)" in output
    assert f"Would remove child #{cast.child_a.pk} Sem Testmans" in output
    assert "1 observations" in output and "1 pillar ratings" in output
    assert Child.objects.filter(pk=cast.child_a.pk).exists()
    assert not AccessLog.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_run_removes_everything_and_is_safe_to_repeat(cast, client_for):
    child = rich_child(cast, client_for)
    RetentionConsent.objects.filter(child=child).update(  # it ran out yesterday
        given_on=today() - datetime.timedelta(days=30), until=today() - datetime.timedelta(days=1)
    )
    _leave(child, today() - datetime.timedelta(days=100))
    assert NAME[0] in traces(database_dump())

    output = _run()
    assert f"Removed child #{child.pk} as K-" in output
    assert NAME[0] not in output and NAME[1] not in output  # cron mail outlives the record
    assert traces(database_dump()) == []
    removed = AccessLog.objects.get(action=AccessLog.Action.REMOVED)
    assert (removed.rule, removed.user, removed.organisation) == (AccessLog.Rule.RETENTION, None, cast.org)
    assert removed.pseudonym in output
    assert Child.objects.count() == 4

    again = _run()
    assert "0 record(s) due" in again
    assert AccessLog.objects.filter(action=AccessLog.Action.REMOVED).count() == 1


@pytest.mark.django_db
def test_the_demo_data_holds_a_child_the_dry_run_names():
    call_command("seed_demo", force=True, stdout=io.StringIO())
    output = _run("--dry-run")
    assert "Would remove child" in output and "Jurre Vink" in output
    assert Child.objects.filter(first_name="Jurre").exists()


@pytest.mark.django_db
def test_the_consent_is_recorded_in_the_admin_by_whom(cast, client_for):
    f.make_child(cast.group_a, "Extra")
    response = client_for(cast.admin).post(
        "/beheer/privacy/retentionconsent/add/",
        {
            "child": cast.child_a.pk,
            "kind": "hand_over",
            "given_on": today().isoformat(),
            "until": (today() + datetime.timedelta(days=90)).isoformat(),
            "note": "Overdracht aan basisschool",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    consent = RetentionConsent.objects.get()
    assert (consent.child, consent.recorded_by) == (cast.child_a, cast.admin)
    # Another organisation's child is no choice.
    response = client_for(cast.admin).post(
        "/beheer/privacy/retentionconsent/add/",
        {"child": cast.other_child.pk, "kind": "keep", "given_on": today().isoformat(), "until": today().isoformat()},
    )
    assert response.status_code == 200 and RetentionConsent.objects.count() == 1


def test_a_child_placed_again_after_the_list_was_made_is_kept(cast):
    """The run lists the children due, then removes them one by one: each is checked again once it is
    locked, so a placement (or a consent) recorded in between keeps the record."""
    from privacy.retention import erase_if_still_due

    _leave(cast.child_a, today() - datetime.timedelta(days=200))
    due = [d.child for d in children_due(months=3)]
    assert due == [cast.child_a]
    Placement.objects.create(child=cast.child_a, group=cast.group_b, start_date=today())  # back, just now
    assert erase_if_still_due(due[0], months=3) is None
    assert Child.objects.filter(pk=cast.child_a.pk).exists()
    Placement.objects.filter(child=cast.child_a, end_date__isnull=True).delete()  # gone again: due
    assert erase_if_still_due(due[0], months=3) is not None
    assert not Child.objects.filter(pk=cast.child_a.pk).exists()
