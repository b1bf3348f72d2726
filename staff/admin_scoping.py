"""Django admin for organisation admins, scoped by the same accessors as the views.

Every admin page lists and edits only what its accessor returns for the user, and
every foreign-key dropdown offers only in-scope objects (`CHOICES`). Only users
who manage records (an organisation admin, or a platform superuser) get in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest

from organisations.models import Group, Location, Organisation
from staff.access import visible_groups, visible_locations, visible_organisations, visible_users
from staff.models import User
from staff.scope import AnyUser, scope_for

Accessor = Callable[[AnyUser], QuerySet[Any]]

# The choices a foreign key may offer, per related model. A model missing here offers nothing.
CHOICES: dict[type[Model], Accessor] = {
    Organisation: visible_organisations,
    Location: visible_locations,
    Group: visible_groups,
    User: visible_users,
}


def scoped_choices(model: type[Model], user: AnyUser) -> QuerySet[Any]:
    accessor = CHOICES.get(model)
    return accessor(user) if accessor else model._default_manager.none()


def manages_records(request: HttpRequest) -> bool:
    return request.user.is_active and scope_for(request.user).is_admin


class ScopedForeignKeys:
    """Limits every foreign-key dropdown to the user's scope."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> ModelChoiceField | None:
        kwargs["queryset"] = scoped_choices(db_field.related_model, request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class ScopedAdmin(ScopedForeignKeys, admin.ModelAdmin):
    """A model admin whose rows come from `accessor` (set it on the subclass)."""

    accessor: Accessor

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).filter(pk__in=self.accessor(request.user).values("pk"))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return manages_records(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return manages_records(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return manages_records(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return manages_records(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return manages_records(request)


class ScopedInline(ScopedForeignKeys, admin.TabularInline):
    extra = 0

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return manages_records(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return manages_records(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return manages_records(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return manages_records(request)
