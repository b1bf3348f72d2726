"""Dutch error pages with DEBUG off (settings_test keeps it off): 400, 403, 404, 500, and 503 when
the database is gone."""

import logging
import re
import socket

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import make_user


def dutch_page(response) -> str:
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert '<html lang="nl">' in text
    return text


@pytest.mark.django_db
def test_unknown_url_answers_the_dutch_404_page(client):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    text = dutch_page(response)
    assert "Pagina niet gevonden" in text
    assert "Deze pagina bestaat niet, of is niet voor jou toegankelijk." in text
    assert "Terug naar de startpagina" in text


def test_tampered_child_and_group_ids_answer_the_dutch_404_page(cast, client_for):
    client = client_for(cast.staff_a)
    for url in (
        f"/kinderen/{cast.other_child.pk}/",  # another organisation's child
        f"/kinderen/{cast.child_b.pk}/",  # a child of another group
        f"/groepen/{cast.other_group.pk}/",
        f"/kinderen/{cast.other_child.pk}/overzicht.pdf?weken=12",
        "/kinderen/999999/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        text = dutch_page(response)
        assert "Pagina niet gevonden" in text, url
        assert "Uitloggen" in text  # the app's own page with the signed-in navigation
        assert cast.other_child.first_name not in text


@pytest.mark.urls("tests.error_urls")
def test_permission_denied_answers_the_dutch_403_page(cast, client_for):
    response = client_for(cast.staff_a).get("/test/verboden/")
    assert response.status_code == 403
    text = dutch_page(response)
    assert "Geen toegang" in text
    assert "Je hebt geen toegang tot deze pagina." in text


NOT_ALLOWED_TEXT = "Deze pagina kan niet op deze manier gebruikt worden"


def test_a_method_a_page_does_not_take_answers_the_dutch_405_page(cast, client_for):
    """Issue 19, item 3: these 405 answers had an empty body (a blank page in the browser)."""
    client = client_for(cast.staff_a)
    for method, url, allowed in (
        ("put", f"/kinderen/{cast.child_a.pk}/", "GET, HEAD"),
        ("delete", f"/groepen/{cast.group_a.pk}/", "GET, HEAD"),
        ("post", f"/kinderen/{cast.child_a.pk}/overzicht/", "GET, HEAD"),
        ("get", "/uitloggen/", "POST, OPTIONS"),
        ("get", "/tablet/vergrendelen/", "POST"),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 405, (method, url)
        assert response["Allow"] == allowed, (method, url)
        text = dutch_page(response)
        assert '<h1 class="h3">Dit werkt zo niet</h1>' in text and NOT_ALLOWED_TEXT in text, (method, url)
        assert "Uitloggen" in text and "Terug naar de startpagina" in text  # the app's page, signed in
    assert client.get("/").status_code == 200  # still signed in: GET /uitloggen/ logged nobody out


@pytest.mark.django_db
def test_the_405_page_without_a_login(client):
    response = client.get("/uitloggen/")
    assert response.status_code == 405 and response["Allow"] == "POST, OPTIONS"
    text = dutch_page(response)
    assert NOT_ALLOWED_TEXT in text and "Uitloggen" not in text


@pytest.mark.django_db
def test_unknown_host_answers_the_dutch_400_page(client, settings):
    settings.ALLOWED_HOSTS = ["observaties.example.org"]
    response = client.get("/", HTTP_HOST="elders.example.com")
    assert response.status_code == 400
    assert "Verzoek niet begrepen" in dutch_page(response)


@pytest.mark.urls("tests.error_urls")
def test_an_error_answers_the_dutch_500_page_without_context_processors(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast.staff_a)
    response = client.get("/test/kapot/")
    assert response.status_code == 500
    text = dutch_page(response)
    assert "Er ging iets mis" in text
    assert "Wat je net hebt ingevoerd, is misschien niet opgeslagen." in text
    assert "/static/css/app.css" in text  # the app's look
    assert "Uitloggen" not in text  # rendered without request, user or scope


REFERENCE = re.compile(r'<code class="error-reference">([0-9a-f]{8})</code>')


def reference_on(response) -> str:
    match = REFERENCE.search(response.content.decode())
    assert match, response.content.decode()
    return match.group(1)


def logged_errors(caplog, reference):
    return [record for record in caplog.records if reference in record.getMessage()]


@pytest.mark.urls("tests.error_urls")
def test_the_500_page_shows_a_reference_that_the_log_record_of_the_exception_names(cast, caplog):
    """Issue 19, item 4: the operator finds the traceback of the error a user reports."""
    client = Client(raise_request_exception=False)
    client.force_login(cast.staff_a)
    with caplog.at_level(logging.ERROR):
        first = client.get("/test/kapot/")
        second = client.get("/test/kapot/")
    assert first.status_code == second.status_code == 500
    reference = reference_on(first)
    assert "Referentie: <code" in first.content.decode() and "daarmee vindt die haar terug" in first.content.decode()
    assert reference_on(second) != reference  # one per error
    [record] = logged_errors(caplog, reference)
    assert record.name == "django.request" and record.levelno == logging.ERROR
    assert record.getMessage() == f"Internal Server Error: /test/kapot/ (reference {reference})"
    assert record.status_code == 500 and record.request.path == "/test/kapot/"
    assert record.exc_info[0] is RuntimeError and "broken on purpose" in str(record.exc_info[1])
    # One record per error: Django's own "Internal Server Error" line is not written a second time.
    assert len([r for r in caplog.records if r.name == "django.request"]) == 2


@pytest.mark.urls("tests.error_urls")
def test_the_500_page_survives_a_missing_static_manifest(settings, tmp_path):
    # The original production failure: no staticfiles.json, so {% static %} itself raises.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    response = Client(raise_request_exception=False).get("/test/kapot/")
    assert response.status_code == 500
    assert "<h1>Er ging iets mis</h1>" in response.content.decode()
    assert re.search(r"<p>Referentie: <code>[0-9a-f]{8}</code></p>", response.content.decode())


@pytest.fixture
def lost_database(django_db_blocker):
    """Point the default connection at a port nobody listens on: every query now fails to connect,
    as when the database server is gone."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    saved = {key: connection.settings_dict[key] for key in ("HOST", "PORT")}
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=closed_port)
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.update(saved)


def test_a_lost_database_answers_503_with_the_dutch_page(lost_database):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32  # a signed-in browser: the session lives in the database
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = dutch_page(response)
    assert "Tijdelijk niet beschikbaar" in text
    assert "De app kan de database nu niet bereiken." in text
    assert reference_on(response)


@pytest.mark.urls("tests.error_urls")
def test_the_500_page_and_its_reference_need_no_database(lost_database, caplog):
    """A view that fails while the database is gone: the full 500 page (not the plain fallback, which
    a query in the page or its context would fall back to), its reference, and the log record."""
    with caplog.at_level(logging.ERROR):
        response = Client(raise_request_exception=False).get("/test/kapot/")  # no session: no query before
    assert response.status_code == 500
    text = dutch_page(response)
    assert "Er ging iets mis" in text and "/static/css/app.css" in text
    reference = reference_on(response)
    [record] = logged_errors(caplog, reference)
    assert record.exc_info[0] is RuntimeError
    assert not [r for r in caplog.records if "Could not render" in r.getMessage()]


def test_a_lost_database_answers_503_to_a_login(lost_database):
    response = Client(raise_request_exception=False).post(
        "/inloggen/", {"username": "medewerker@example.org", "password": "demo"}
    )
    assert response.status_code == 503
    assert "Tijdelijk niet beschikbaar" in dutch_page(response)


@pytest.mark.django_db
def test_the_database_is_back_after_the_503_tests(client):
    user = make_user("terug@example.test")
    client.force_login(user)
    assert client.get("/").status_code == 200


def test_a_failed_csrf_check_answers_the_dutch_page(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.staff_a)
    response = client.post(reverse("observation_new", args=[cast.child_a.pk]), {})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Het formulier is verlopen" in html and "CSRF" not in html
