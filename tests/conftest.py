"""The fixed cast every view test uses.

Organisation "Linde" has location 1 (groups A and B) and location 2 (group C);
organisation "Other" has one location and group. People: staff of group A,
staff of group B, manager of location 1, coach of locations 1 and 2, admin of
Linde, admin of Other. One child in each group.
"""

from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.utils import translation

from children.models import Placement
from organisations.models import Location, Organisation
from staff.models import Role
from staff.second_factor import SECOND_STEP_DONE
from tests import factories as f

ROOT = Path(__file__).resolve().parents[1]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile each Dutch catalogue when its .mo is missing or older than the .po, so plain
    `pytest` after `make install` tests the same strings as `make test`."""
    catalogues = [*ROOT.glob("locale/*/LC_MESSAGES/django.po"), *ROOT.glob("*/locale/*/LC_MESSAGES/django.po")]
    compiled = False
    for po_path in catalogues:
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            compiled = True
    if compiled:
        # pytest-django set Django up before this hook, and a catalogue read then (without the
        # new .mo files) stays cached for the whole process: forget it so it is read again.
        import gettext

        from django.utils.translation import trans_real

        trans_real._translations.clear()  # type: ignore[attr-defined]  # Django's private catalogue cache
        trans_real._default = None  # type: ignore[attr-defined]
        gettext._translations.clear()  # type: ignore[attr-defined]  # the standard library's, by .mo path


# A test that is not about the second factor signs in completely: Client.force_login marks the session
# past the second step (staff/second_factor.py). tests/test_second_factor.py signs in through the login
# form (`sign_in_with_password`) to meet the second step.
_force_login = Client.force_login


def _force_login_past_second_step(self, user, backend=None):
    _force_login(self, user, backend)
    session = self.session
    session[SECOND_STEP_DONE] = user.pk
    session.save()


Client.force_login = _force_login_past_second_step  # type: ignore[method-assign]


@dataclass
class Cast:
    org: object
    other_org: object
    location1: object
    location2: object
    other_location: object
    group_a: object
    group_b: object
    group_c: object
    other_group: object
    staff_a: object
    staff_b: object
    manager: object
    coach: object
    admin: object
    other_admin: object
    child_a: object
    child_b: object
    child_c: object
    other_child: object

    @property
    def everyone(self):
        return {
            "staff_a": self.staff_a,
            "staff_b": self.staff_b,
            "manager": self.manager,
            "coach": self.coach,
            "admin": self.admin,
            "other_admin": self.other_admin,
        }


def build_cast() -> Cast:
    org = f.make_organisation("Linde")
    other_org = f.make_organisation("Other")
    location1 = f.make_location(org, "Locatie Een")
    location2 = f.make_location(org, "Locatie Twee")
    other_location = f.make_location(other_org, "Elders")
    group_a = f.make_group(location1, "Groep A")
    group_b = f.make_group(location1, "Groep B")
    group_c = f.make_group(location2, "Groep C")
    other_group = f.make_group(other_location, "Groep Elders")
    staff_a = f.make_user("staff.a@example.test", first_name="Anna")
    staff_b = f.make_user("staff.b@example.test", first_name="Bart")
    manager = f.make_user("manager@example.test", first_name="Mira")
    coach = f.make_user("coach@example.test", first_name="Coen")
    admin = f.make_user("admin@example.test", first_name="Ada", is_staff=True)
    other_admin = f.make_user("other.admin@example.test", first_name="Otto", is_staff=True)
    f.add_membership(staff_a, Role.STAFF, group=group_a)
    f.add_membership(staff_b, Role.STAFF, group=group_b)
    f.add_membership(manager, Role.MANAGER, location=location1)
    f.add_membership(coach, Role.COACH, location=location1)
    f.add_membership(coach, Role.COACH, location=location2)
    f.add_membership(admin, Role.ADMIN, organisation=org)
    f.add_membership(other_admin, Role.ADMIN, organisation=other_org)
    return Cast(
        org=org,
        other_org=other_org,
        location1=location1,
        location2=location2,
        other_location=other_location,
        group_a=group_a,
        group_b=group_b,
        group_c=group_c,
        other_group=other_group,
        staff_a=staff_a,
        staff_b=staff_b,
        manager=manager,
        coach=coach,
        admin=admin,
        other_admin=other_admin,
        child_a=f.make_child(group_a, "Sem", mentor=staff_a),
        child_b=f.make_child(group_b, "Tess", mentor=staff_b),
        child_c=f.make_child(group_c, "Daan"),
        other_child=f.make_child(other_group, "Olaf"),
    )


@pytest.fixture(autouse=True)
def _fresh_fragments():
    """Each test starts with an empty "fragments" cache (attachment_site/settings.py): a test that
    changes the pillars or the texts in memory never sees markup kept by an earlier one."""
    caches["fragments"].clear()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language. The test client runs requests in the test's own
    thread, and LocaleMiddleware leaves the language of the last request active there: an English
    request in one test would otherwise make the next test's in-process texts English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def cast(db) -> Cast:
    return build_cast()


@pytest.fixture
def client_for(client):
    """Log the Django test client in as the given user and return it."""

    def login(user):
        client.force_login(user)
        return client

    return login


@dataclass
class Nest:
    """A gastouderbureau: three childminders' homes (X, Y, Z), each with its one group and gastouder; one
    bemiddelingsmedewerker supports X and Y (not Z); a manager of the bureau oversees X, Y and Z."""

    org: object
    home_x: object
    home_y: object
    home_z: object
    group_x: object
    group_y: object
    group_z: object
    gastouder_x: object
    gastouder_y: object
    gastouder_z: object
    consultant: object
    manager: object
    admin: object
    child_x: object
    child_y: object
    child_z: object
    child_xy: object  # with two gastouders, on different days: placed at X and at Y


def build_nest() -> Nest:
    org = f.make_organisation("Het Nest")
    org.kind = Organisation.Kind.AGENCY
    org.save(update_fields=["kind"])
    homes = [f.make_location(org, f"Gastouder {name}", kind=Location.Kind.CHILDMINDER) for name in "XYZ"]
    groups = [f.make_group(home, f"Bij {home.name[-1]}") for home in homes]
    gastouders = [f.make_user(f"gastouder.{name.lower()}@example.test", first_name=f"Gast{name}") for name in "XYZ"]
    for gastouder, group in zip(gastouders, groups, strict=True):
        f.add_membership(gastouder, Role.GASTOUDER, group=group)
    consultant = f.make_user("bemiddeling@example.test", first_name="Ellen")
    manager = f.make_user("manager.nest@example.test", first_name="Nina")
    admin = f.make_user("admin.nest@example.test", first_name="Niels", is_staff=True)
    for home in homes[:2]:
        f.add_membership(consultant, Role.CONSULTANT, location=home)
    for home in homes:
        f.add_membership(manager, Role.MANAGER, location=home)
    f.add_membership(admin, Role.ADMIN, organisation=org)
    children = [
        f.make_child(group, f"Kind{name}", mentor=g) for name, group, g in zip("XYZ", groups, gastouders, strict=True)
    ]
    child_xy = f.make_child(groups[0], "Tweeling", mentor=gastouders[0])
    Placement.objects.create(child=child_xy, group=groups[1], start_date=child_xy.placements.get().start_date)
    home_x, home_y, home_z = homes
    group_x, group_y, group_z = groups
    gastouder_x, gastouder_y, gastouder_z = gastouders
    child_x, child_y, child_z = children
    return Nest(
        org,
        home_x,
        home_y,
        home_z,
        group_x,
        group_y,
        group_z,
        gastouder_x,
        gastouder_y,
        gastouder_z,
        consultant,
        manager,
        admin,
        child_x,
        child_y,
        child_z,
        child_xy,
    )


@pytest.fixture
def nest(db) -> Nest:
    return build_nest()
