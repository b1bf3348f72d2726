"""Dutch error pages with DEBUG off (settings_test keeps it off): 400, 403, 404, 500, and 503 when
the database is gone."""

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
