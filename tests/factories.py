"""Plain helpers to build test data through the real models (no mocks)."""

import datetime
import itertools

from children.models import Child, Mentorship, Placement
from organisations.calendar import today
from organisations.models import Group, Location, Organisation
from staff.models import Membership, Role, User

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_organisation(name: str | None = None) -> Organisation:
    return Organisation.objects.create(name=name or f"Organisatie {next(_counter)}")


def make_location(organisation: Organisation, name: str | None = None, **extra) -> Location:
    return Location.objects.create(organisation=organisation, name=name or f"Locatie {next(_counter)}", **extra)


def make_group(location: Location, name: str | None = None, **extra) -> Group:
    return Group.objects.create(location=location, name=name or f"Groep {next(_counter)}", **extra)


def make_user(email: str | None = None, **extra) -> User:
    email = email or f"user{next(_counter)}@example.test"
    return User.objects.create_user(email=email, password=PASSWORD, first_name=extra.pop("first_name", "Test"), **extra)


def add_membership(user: User, role: str, *, organisation=None, location=None, group=None) -> Membership:
    if organisation is None:
        organisation = (group.location if group else location).organisation
    return Membership.objects.create(user=user, role=role, organisation=organisation, location=location, group=group)


def make_child(
    group: Group,
    first_name: str | None = None,
    *,
    born: datetime.date | None = None,
    placed_from: datetime.date | None = None,
    mentor: User | None = None,
) -> Child:
    born = born or today() - datetime.timedelta(days=700)
    child = Child.objects.create(
        organisation=group.location.organisation,
        first_name=first_name or f"Kind{next(_counter)}",
        last_name="Testmans",
        date_of_birth=born,
    )
    start = placed_from or max(born, today() - datetime.timedelta(days=365))
    Placement.objects.create(child=child, group=group, start_date=start)
    if mentor:
        Mentorship.objects.create(child=child, mentor=mentor, start_date=start)
    return child


ROLES = Role
