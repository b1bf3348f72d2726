"""A linked group tablet without a connection, through the Django test client: the service worker's
address and headers (/sw.js, at the root so that its scope is the whole site), the list of pages it
may keep (only a tablet session gets one: its group's day view and its children's entry forms), and
the mode each page gives the worker's script (tests/browser/test_tablet_offline.py is the journey)."""

import datetime
import json
import re

import pytest
from django.templatetags.static import static
from django.urls import reverse

from devices import services
from organisations.calendar import today
from tests import factories as f

pytestmark = pytest.mark.django_db

NO_CONNECTION = "Geen verbinding: deze pagina is niet beschikbaar zonder verbinding"


def linked(client, cast):
    client.force_login(cast.manager)
    response = client.post(reverse("tablet_register"), {"group": cast.group_a.pk, "name": "Tablet A"})
    assert response.status_code == 302
    return client


def unlocked(client, cast):
    linked(client, cast)
    services.set_pin(cast.staff_a, "2580")
    response = client.post(reverse("tablet_unlock", args=[cast.staff_a.pk]), {"pin": "2580"})
    assert response.status_code == 302
    return client


def worker_mode(page):
    script = re.search(r'<script src="[^"]*offline-cache\.js"([^>]*)>', page.content.decode())
    assert script, "the worker's script is on every page"
    return dict(re.findall(r'data-([\w-]+)="([^"]*)"', script.group(1)))


# --- the worker ----------------------------------------------------------------------------------


def test_the_worker_is_served_at_the_root_as_javascript_and_never_from_a_cache(client, cast):
    assert reverse("service_worker") == "/sw.js"
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    config = json.loads(re.search(r"^var CONFIG = (.*);$", body, re.MULTILINE).group(1))
    assert config["cache"] == "tablet-v1" and config["staticPrefix"] == "/static/"
    assert static("pages/offline.js") in config["static"] and static("css/app.css") in config["static"]
    assert config["lockUrl"] == reverse("tablet_lock")
    # Our own page instead of the browser's error, in Dutch, with no child data.
    assert NO_CONNECTION in config["offlinePage"] and '<html lang="nl">' in config["offlinePage"]
    # Its style carries a nonce the worker replaces with a fresh one per answer, named in its policy.
    assert f'<style nonce="{config["offlineNonce"]}">' in config["offlinePage"]
    assert "<script" not in config["offlinePage"]
    assert "{%" not in body and "{{" not in body.replace("{{ config", "")


def test_the_worker_speaks_the_language_of_the_page_that_registers_it(client):
    def offline_page(url):
        body = client.get(url).content.decode()
        return json.loads(re.search(r"^var CONFIG = (.*);$", body, re.MULTILINE).group(1))["offlinePage"]

    assert "No connection: this page is not available without a connection" in offline_page("/sw.js?taal=en")
    assert NO_CONNECTION in offline_page("/sw.js?taal=nl")
    assert NO_CONNECTION in offline_page("/sw.js?taal=xx")  # not a language of the site: the default


def test_the_worker_answers_get_only(client):
    assert client.post("/sw.js").status_code == 405
    assert client.head("/sw.js").status_code == 200


def test_the_worker_is_the_same_for_everyone(client, cast):
    anonymous = client.get("/sw.js").content
    unlocked(client, cast)
    response = client.get("/sw.js")
    assert response.content == anonymous
    assert "no-store" in response["Cache-Control"]  # a logged-in answer, as every other


# --- what the worker may keep --------------------------------------------------------------------


def test_a_tablet_session_lists_its_group_day_view_and_the_forms_of_its_children(client, cast):
    second = f.make_child(cast.group_a, "Lotte")
    gone = f.make_child(cast.group_a, "Vera", placed_from=today() + datetime.timedelta(days=3))  # not yet
    unlocked(client, cast)
    response = client.get(reverse("tablet_offline_pages"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["user"] == cast.staff_a.pk
    assert data["pages"] == [
        reverse("group_detail", args=[cast.group_a.pk]),
        reverse("observation_new", args=[second.pk]),  # Lotte, then Sem
        reverse("observation_new", args=[cast.child_a.pk]),
    ]
    listed = " ".join(data["pages"])
    assert reverse("observation_new", args=[gone.pk]) not in listed
    assert reverse("observation_new", args=[cast.child_b.pk]) not in listed  # another group
    # Never a timeline, summary, conversation or note: only the day view and entry forms.
    assert all(p.endswith("/waarnemingen/nieuw/") for p in data["pages"][1:])


@pytest.mark.parametrize("who", ["anonymous", "personal", "personal_on_tablet", "locked_tablet"])
def test_no_list_without_a_tablet_session(client, cast, who):
    if who == "personal":
        client.force_login(cast.staff_a)
    elif who == "personal_on_tablet":
        linked(client, cast)
        client.force_login(cast.staff_a)  # logged in with the password form, not through the tablet
    elif who == "locked_tablet":
        unlocked(client, cast)
        client.post(reverse("tablet_lock"))
    assert client.get(reverse("tablet_offline_pages")).status_code == 404


def test_an_unlinked_tablet_gets_no_list(client, cast):
    unlocked(client, cast)
    tablet = services.managed_tablets(cast.manager).get()
    services.revoke_tablet(tablet, by=cast.manager)
    response = client.get(reverse("tablet_offline_pages"))  # the session ends with the tablet
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("tablet_offline_pages")).status_code == 404


# --- the mode each page gives the worker's script ------------------------------------------------


def test_a_tablet_session_page_starts_the_session_of_the_worker(client, cast, settings):
    settings.TABLET_IDLE_MINUTES = 2
    unlocked(client, cast)
    mode = worker_mode(client.get(reverse("group_detail", args=[cast.group_a.pk])))
    assert mode == {
        "mode": "session",
        "worker": "/sw.js",
        "user": str(cast.staff_a.pk),
        "idle-seconds": "120",
        "manifest": reverse("tablet_offline_pages"),
    }


def test_a_locked_tablet_empties_the_cache_and_keeps_the_worker(client, cast):
    unlocked(client, cast)
    client.post(reverse("tablet_lock"))
    assert worker_mode(client.get(reverse("tablet_home"))) == {"mode": "tablet", "worker": "/sw.js"}


def test_a_personal_session_keeps_nothing(client, cast):
    client.force_login(cast.staff_a)
    mode = worker_mode(client.get(reverse("group_detail", args=[cast.group_a.pk])))
    assert mode == {"mode": "none", "worker": "/sw.js"}
    # Nor when someone logs in with their password on a linked tablet's browser.
    linked(client, cast)
    client.force_login(cast.staff_a)
    assert worker_mode(client.get(reverse("group_detail", args=[cast.group_a.pk])))["mode"] == "tablet"


def test_the_login_page_removes_the_worker(client):
    assert worker_mode(client.get(reverse("login")))["mode"] == "none"
