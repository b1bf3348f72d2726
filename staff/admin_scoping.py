"""Who administers what: the scope the scoped admin (organisations/admin_scoping.py) asks, plugged
in when the apps are ready (staff/apps.py).

Only users who manage records (an organisation admin, or a platform superuser) get into the
administration; the rows of the places and the people they administer, and the choices a foreign
key to them offers, come from the same accessors the views use (staff/access.py).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from organisations.admin_scoping import Accessor
from organisations.models import Group, Location, Organisation
from staff.access import managed_groups, managed_locations, managed_users, user_access, visible_organisations
from staff.models import User
from staff.scope import AnyUser

# The rows of each model an admin administers, and so the choices a foreign key to it may offer. A model
# missing here offers nothing (an admin page of it names its own accessor; an inline may narrow the
# choices further to its parent object: ScopedInline.choices_for).
ADMINISTERED: dict[type[Model], Accessor] = {
    Organisation: visible_organisations,
    Location: managed_locations,
    Group: managed_groups,
    User: managed_users,
}


class StaffAdminScope:
    """The AdminScope of organisations/admin_scoping.py, from the user's memberships and roles."""

    def manages_records(self, user: AnyUser) -> bool:
        return user_access(user).manages_records

    def administered(self, model: type[Model], user: AnyUser) -> QuerySet[Any]:
        accessor = ADMINISTERED.get(model)
        return accessor(user) if accessor else model._default_manager.none()
