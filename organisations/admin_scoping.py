"""Django admin for organisation admins, scoped by the same accessors as the views.

Every admin page lists and edits only what its accessor returns for the user, and
every foreign-key dropdown offers only in-scope objects. Only users who manage
records (an organisation admin, or a platform superuser) get in; they get a 404 for
any one object outside their scope, in every view that names one (change, delete,
history, a user's password page).

The administration reaches only what the user *manages*: the places of the
organisations where they are an organisation admin (`managed_*` in staff/access.py),
never the places where they merely work (staff, manager or coach there).

The mechanism sits on the bottom floor, so that every app registers the admin of its own models
(organisations/admin.py the places, children/admin.py the children, ...). Who manages records and
which rows of a model they administer is staff's to say (memberships and roles): staff plugs its
`AdminScope` in when the apps are ready (staff/apps.py, staff/admin_scoping.py). Until then the
admin refuses to answer rather than guess.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest

from organisations.text import VisibleTextInAdmin

Accessor = Callable[[Any], QuerySet[Any]]


class AdminScope(Protocol):
    """What a user may do in the administration (staff/admin_scoping.py answers it)."""

    def manages_records(self, user: Any) -> bool:
        """Whether the user administers records at all (an organisation admin, a platform superuser)."""
        ...

    def administered(self, model: type[Model], user: Any) -> QuerySet[Any]:
        """The rows of `model` the user administers: an admin page's rows when it names no accessor of
        its own, and the choices of a foreign key to `model`. Nothing for a model it does not know."""
        ...


_plugged_in: list[AdminScope] = []


def plug_in(scope: AdminScope) -> None:
    """The scope every scoped admin asks from now on (staff/apps.py, when the apps are ready)."""
    _plugged_in[:] = [scope]


def admin_scope() -> AdminScope:
    if not _plugged_in:
        raise ImproperlyConfigured("No admin scope: staff plugs it in when the apps are ready (staff/apps.py).")
    return _plugged_in[0]


def scoped_choices(model: type[Model], user: Any) -> QuerySet[Any]:
    return admin_scope().administered(model, user)


def manages_records(request: HttpRequest) -> bool:
    return request.user.is_active and admin_scope().manages_records(request.user)


class ScopedForeignKeys(VisibleTextInAdmin):
    """Limits every foreign-key dropdown to the user's scope (and, like every form, holds free text
    to the visible-text rule: organisations/text.py)."""

    def choices_for(self, db_field: Any, request: HttpRequest) -> QuerySet[Any]:
        return scoped_choices(db_field.related_model, request.user)

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        kwargs["queryset"] = self.choices_for(db_field, request)
        field: ModelChoiceField[Any] | None = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        return field


class ScopedAdmin(ScopedForeignKeys, admin.ModelAdmin[Any]):
    """A model admin whose rows come from `accessor` (set it on the subclass), or, without one, from
    the rows of its model the scope says the user administers."""

    accessor: Accessor | None = None

    def rows(self, user: Any) -> QuerySet[Any]:
        if self.accessor is not None:
            return self.accessor(user)
        return admin_scope().administered(self.model, user)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).filter(pk__in=self.rows(request.user).values("pk"))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        """One object of `get_queryset`, or a 404 (Django itself redirects with "does not exist"
        from the change, delete and history views). Without an admin role: 403, as everywhere."""
        if not manages_records(request):
            raise PermissionDenied
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

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


class ScopedInline(ScopedForeignKeys, admin.TabularInline[Any, Any]):
    """Rows of an object the user manages. `accessor` (optional) bounds the rows further, for
    rows that may lie outside the scope although their parent does not (a user's memberships)."""

    extra = 0
    accessor: Accessor | None = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if self.accessor is not None:
            queryset = queryset.filter(pk__in=self.accessor(request.user).values("pk"))
        return queryset

    def parent_object(self, request: HttpRequest) -> Any:
        """The object whose change page shows this inline, through its admin's scoped queryset;
        None on an add page."""
        match = request.resolver_match
        object_id = match.kwargs.get("object_id") if match else None
        if object_id is None:
            return None
        parent_admin = self.admin_site.get_model_admin(self.parent_model)
        try:
            return parent_admin.get_queryset(request).filter(pk=unquote(object_id)).first()
        except (ValueError, ValidationError):
            return None

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return manages_records(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return manages_records(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return manages_records(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return manages_records(request)
