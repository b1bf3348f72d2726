"""Django admin for organisation admins, scoped by the same querysets as the views.

Every admin page lists and edits only what `visible_to(user)` returns, and every
foreign-key dropdown offers only in-scope objects. Only users with an admin
membership (or platform superusers) get in.
"""

from django.contrib import admin

from staff.scope import scope_for


class ScopedAdmin(admin.ModelAdmin):
    def scoped(self, queryset, user):
        return queryset.visible_to(user)

    def get_queryset(self, request):
        return self.scoped(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model._default_manager.all()
        if hasattr(related, "visible_to"):
            kwargs["queryset"] = related.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _is_admin(self, request) -> bool:
        return request.user.is_active and scope_for(request.user).is_admin

    def has_module_permission(self, request):
        return self._is_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_add_permission(self, request):
        return self._is_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_admin(request)


class ScopedInline(admin.TabularInline):
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model._default_manager.all()
        if hasattr(related, "visible_to"):
            kwargs["queryset"] = related.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None):
        return scope_for(request.user).is_admin

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission
