"""What must never be wrong is held by the database itself, not only by forms."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from children.models import Mentorship, Placement
from organisations.models import Group
from staff.models import Membership, Role, User
from tests import factories as f

pytestmark = pytest.mark.django_db


def assert_db_refuses(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_placement_end_before_start_is_refused(cast):
    child = cast.child_a
    assert_db_refuses(
        lambda: Placement.objects.create(
            child=child, group=cast.group_b, start_date=datetime.date(2026, 5, 1), end_date=datetime.date(2026, 4, 1)
        )
    )


def test_only_one_open_placement_per_group_per_child(cast):
    assert_db_refuses(
        lambda: Placement.objects.create(child=cast.child_a, group=cast.group_a, start_date=datetime.date(2026, 1, 1))
    )
    # An open placement in another group is fine (a child may attend two groups).
    Placement.objects.create(child=cast.child_a, group=cast.group_b, start_date=datetime.date(2026, 1, 1))


def test_unique_email_ignores_case(db):
    f.make_user("Lotte@Example.org")
    assert_db_refuses(lambda: User.objects.create(email="lotte@example.org"))


def test_group_age_range_must_be_in_order(cast):
    assert_db_refuses(
        lambda: Group.objects.create(location=cast.location1, name="Omgekeerd", min_age_months=30, max_age_months=12)
    )


@pytest.mark.parametrize(
    "role, where",
    [
        (Role.STAFF, "location"),  # staff belong to a group, not a location
        (Role.MANAGER, "group"),
        (Role.COACH, None),
        (Role.ADMIN, "group"),
    ],
)
def test_membership_scope_must_match_role(cast, role, where):
    kwargs = {"location": cast.location1} if where == "location" else {"group": cast.group_a} if where else {}
    assert_db_refuses(lambda: Membership.objects.create(user=cast.staff_b, organisation=cast.org, role=role, **kwargs))


def test_one_open_mentorship_per_child(cast):
    Mentorship.objects.create(
        child=cast.child_b,
        mentor=cast.staff_b,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 1, 31),
    )
    assert_db_refuses(
        lambda: Mentorship.objects.create(child=cast.child_a, mentor=cast.staff_b, start_date=datetime.date(2026, 2, 1))
    )


def test_placement_clean_refuses_overlap_third_placement_and_start_before_birth(cast):
    child = cast.child_a
    overlapping = Placement(child=child, group=cast.group_a, start_date=child.date_of_birth, end_date=None)
    with pytest.raises(ValidationError, match="al een plaatsing"):
        overlapping.full_clean()
    Placement.objects.create(child=child, group=cast.group_b, start_date=datetime.date(2026, 1, 1))
    third = Placement(child=child, group=cast.group_c, start_date=datetime.date(2026, 2, 1))
    with pytest.raises(ValidationError, match="hoogstens twee plaatsingen"):
        third.full_clean()
    before_birth = Placement(
        child=child,
        group=cast.group_c,
        start_date=child.date_of_birth - datetime.timedelta(1),
        end_date=child.date_of_birth,
    )
    with pytest.raises(ValidationError, match="voor de geboortedatum"):
        before_birth.full_clean()


def test_placement_in_another_organisations_group_is_refused(cast):
    placement = Placement(child=cast.child_a, group=cast.other_group, start_date=datetime.date(2026, 1, 1))
    with pytest.raises(ValidationError, match="andere organisatie"):
        placement.full_clean()
