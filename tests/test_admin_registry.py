"""Each model's admin lives in its own app (issue 18): a model is registered once, by its own app's
admin module, or by a higher app whose admin extends that one (privacy adds the parents' rights to
the children's admin). The scoped admin's mechanism is on the bottom floor; who administers what is
staff's, plugged in when the apps are ready, and without it the admin refuses instead of guessing."""

import pytest
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from organisations import admin_scoping
from staff.admin_scoping import StaffAdminScope
from tests.house_plan import ROOT, layers


def test_each_model_is_registered_by_its_own_app_or_extended_from_a_higher_one():
    wrong = []
    for model, model_admin in admin.site._registry.items():
        registered_by = type(model_admin).__module__.split(".")[0]
        owner = model._meta.app_label
        if registered_by not in layers():
            continue  # Django's own and the libraries' admins
        extends_own = any(cls.__module__ == f"{owner}.admin" for cls in type(model_admin).__mro__)
        if registered_by != owner and not (extends_own and layers().index(registered_by) > layers().index(owner)):
            wrong.append(f"{model._meta.label} registered by {registered_by}")
    assert wrong == []


def test_no_app_takes_another_apps_registration_back():
    unregistering = [
        str(path.relative_to(ROOT))
        for app in layers()
        for path in (ROOT / app).rglob("*.py")
        if "site.unregister(" in path.read_text(encoding="utf-8")
    ]
    assert unregistering == []


def test_staff_plugs_in_who_administers_what():
    assert isinstance(admin_scoping.admin_scope(), StaffAdminScope)


@pytest.mark.django_db
def test_without_the_scope_the_admin_refuses(cast, client_for, monkeypatch):
    client = client_for(cast.admin)
    monkeypatch.setattr(admin_scoping, "_plugged_in", [])
    with pytest.raises(ImproperlyConfigured):
        client.get(reverse("admin:organisations_location_changelist"))
