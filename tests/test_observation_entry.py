"""The entry form /kinderen/<id>/waarnemingen/nieuw/: logging, every bad input, double submit, scoping."""

import datetime
import re
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from observations.models import Observation, PillarRating
from organisations.calendar import today
from tests import factories as f
from tests.observation_factories import days_ago, entry_data

pytestmark = pytest.mark.django_db


def url(child):
    return reverse("observation_new", args=[child.pk])


def test_the_form_shows_the_eight_pillars_with_their_descriptions(cast, client_for):
    response = client_for(cast.staff_a).get(url(cast.child_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nieuwe waarneming van Sem Testmans" in html
    for name in [
        "Positieve affectie",
        "Zoeken van troost",
        "Vertrouwen en hulp vragen",
        "Samenwerking",
        "Explorerend gedrag",
        "Controlerend gedrag",
        "Reactie bij hereniging",
        "Reactie op vreemden",
    ]:
        assert name in html
    assert "Zoekt geen troost bij pijn, schrik of ziekte." in html  # atypical description, one tap away
    assert "Wat zag je?" in html and "niet gezien" in html and "zoekt geen troost" in html and "duidelijk" in html
    # The chips name each pole by what the child does, and so do the descriptions' headings.
    assert ">checkt niet terug</label>" in html and ">durft nauwelijks weg</label>" in html
    assert "<dt>opvallend: checkt niet terug</dt>" in html and "<dt>opvallend: durft nauwelijks weg</dt>" in html
    # The one axis, explained once above the pillars.
    assert html.count("Elke pijler heeft dezelfde schaal") == 1
    assert "slecht geslapen" in html and "vrij spel" in html
    assert f'value="{today().isoformat()}"' in html  # date defaults to today
    # "Reactie op vreemden" has no low pole: the widget offers no such option.
    assert 'name="kind_strangers" id="id_kind_strangers_2" value="high"' in html
    assert 'name="kind_strangers" id="id_kind_strangers_2" value="low"' not in html


def test_staff_logs_a_one_pillar_observation(cast, client_for):
    data = entry_data(cast.child_a, circumstances=["slept_badly", "busy_group"], note="Mama bracht hem.")
    response = client_for(cast.staff_a).post(url(cast.child_a), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("group_detail", args=[cast.group_a.pk])
    observation = Observation.objects.get()
    assert (observation.child, observation.observer, observation.group) == (cast.child_a, cast.staff_a, cast.group_a)
    assert observation.date == today()
    assert observation.situation == "drop_off"
    assert observation.circumstances == ["slept_badly", "busy_group"]
    rating = observation.ratings.get()  # pillars not rated are absent, not "typical"
    assert (rating.pillar, rating.value) == ("comfort_seeking", -2)
    assert rating.note == "Viel bij het buitenspelen en bleef stil zitten."
    page = client_for(cast.staff_a).get(response["Location"])
    assert "Waarneming van Sem opgeslagen." in page.content.decode()


def test_typical_needs_no_strength_and_several_pillars_can_be_rated(cast, client_for):
    data = entry_data(cast.child_a, kind_reunion="typical", kind_strangers="high", strength_strangers="slight")
    assert client_for(cast.staff_a).post(url(cast.child_a), data).status_code == 302
    values = dict(PillarRating.objects.values_list("pillar", "value"))
    assert values == {"comfort_seeking": -2, "reunion": 0, "strangers": 1}


def test_save_and_next_child_opens_the_next_child_of_the_group(cast, client_for):
    zoe = f.make_child(cast.group_a, "Zoë")
    client = client_for(cast.staff_a)
    response = client.post(url(cast.child_a), entry_data(cast.child_a, save=None, save_next=""))
    assert response.status_code == 302
    assert response["Location"] == url(zoe)
    # The moment chosen last is preselected for the next child: one tap fewer.
    form = client.get(url(zoe)).content.decode()
    assert re.search(r'value="drop_off"[^>]*checked', form)
    assert not re.search(r'value="free_play"[^>]*checked', form)


BIRTH = 700  # tests.factories.make_child: born 700 days ago, placed from 365 days ago


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date": (today() + datetime.timedelta(days=1)).isoformat()}, "De datum kan niet in de toekomst liggen."),
        ({"date": days_ago(BIRTH + 3).isoformat()}, "De datum kan niet vóór de geboortedatum van het kind liggen."),
        ({"date": days_ago(400).isoformat()}, "was Sem niet geplaatst in een van jouw groepen."),
        ({"date": ""}, "Dit veld is verplicht."),
        (
            {"kind_comfort_seeking": "", "strength_comfort_seeking": None, "note_comfort_seeking": None},
            "Beoordeel minstens één pijler die je zag.",
        ),
        (
            {"kind_comfort_seeking": "", "note_comfort_seeking": None},
            "Zoeken van troost: kies eerst “zoekt geen troost” of “zoekt en duwt weg”, dan licht of duidelijk.",
        ),
        ({"strength_comfort_seeking": ""}, "Zoeken van troost: kies licht of duidelijk."),
        (
            {"kind_strangers": "low", "strength_strangers": "slight"},
            "Reactie op vreemden kent geen opvallende kant “houdt afstand of trekt zich terug”; "
            "kies “gaat met iedereen mee”.",
        ),
        ({"kind_comfort_seeking": "typical"}, "Zoeken van troost: bij passend hoort geen licht of duidelijk."),
        ({"kind_reunion": "atypical"}, "Selecteer een geldige keuze. atypical is geen beschikbare keuze."),
        ({"strength_comfort_seeking": "very"}, "Selecteer een geldige keuze."),
        (
            {"note_reunion": "Keek even om."},
            "Reactie bij hereniging: je schreef een notitie; kies ook passend of opvallend.",
        ),
        ({"note": "x" * 1001}, "De algemene notitie is 1001 tekens lang; er mogen er hoogstens 1000."),
        ({"note_comfort_seeking": "y" * 1001}, "De notitie bij Zoeken van troost is 1001 tekens lang"),
        ({"situation": "nap"}, "Selecteer een geldige keuze. nap is geen beschikbare keuze."),
        ({"situation": None}, "Dit veld is verplicht."),
        ({"circumstances": ["slept_badly", "moon"]}, "Selecteer een geldige keuze. moon is geen beschikbare keuze."),
        ({"submission_key": "not-a-key"}, "Voer een geldige UUID in."),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_input_gets_a_dutch_message_and_saves_nothing(cast, client_for, overrides, message):
    response = client_for(cast.staff_a).post(url(cast.child_a), entry_data(cast.child_a, **overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Er is niets opgeslagen." in html
    assert message in html
    assert Observation.objects.count() == 0
    assert PillarRating.objects.count() == 0


def test_a_tampered_child_id_is_refused(cast, client_for):
    """The form for Sem, posted with another child's id (even one the user may log for)."""
    other = f.make_child(cast.group_a, "Zoë")
    response = client_for(cast.staff_a).post(url(cast.child_a), entry_data(cast.child_a, child=str(other.pk)))
    assert response.status_code == 200
    assert "Dit formulier hoort bij een ander kind. Open het formulier opnieuw." in response.content.decode()
    assert Observation.objects.count() == 0


def test_a_submission_key_of_someone_elses_entry_is_refused(cast, client_for):
    first = entry_data(cast.child_a)
    client_for(cast.staff_a).post(url(cast.child_a), first)
    colleague = f.make_user(first_name="Carla")
    f.add_membership(colleague, "staff", group=cast.group_a)
    response = client_for(colleague).post(
        url(cast.child_a), entry_data(cast.child_a, submission_key=first["submission_key"])
    )
    assert response.status_code == 200
    assert "Dit formulier is al gebruikt voor een andere waarneming." in response.content.decode()
    assert Observation.objects.count() == 1


def test_markup_in_a_note_is_shown_as_text(cast, client_for):
    script = '<script>alert("x")</script><b>vet</b>'
    data = entry_data(cast.child_a, note=script, note_comfort_seeking=script)
    client_for(cast.staff_a).post(url(cast.child_a), data)
    assert Observation.objects.get().note == script  # kept as typed ...
    html = client_for(cast.staff_a).get(reverse("child_detail", args=[cast.child_a.pk])).content.decode()
    assert "<script>alert" not in html and "<b>vet</b>" not in html  # ... never executed
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;vet&lt;/b&gt;" in html


def test_a_double_submit_creates_one_observation(cast, client_for):
    client = client_for(cast.staff_a)
    data = entry_data(cast.child_a)
    first = client.post(url(cast.child_a), data)
    second = client.post(url(cast.child_a), data, follow=True)
    assert first.status_code == 302
    assert Observation.objects.count() == 1
    assert PillarRating.objects.count() == 1
    assert "Deze waarneming van Sem was al opgeslagen." in second.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_create_one_observation(cast):
    """Two requests with the same form at the same moment, each on its own database connection."""
    data = entry_data(cast.child_a)
    barrier = threading.Barrier(2)
    statuses = []

    def submit():
        client = Client()
        client.force_login(cast.staff_a)
        barrier.wait()
        try:
            statuses.append(client.post(url(cast.child_a), data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    assert Observation.objects.filter(submission_key=uuid.UUID(data["submission_key"])).count() == 1
    assert PillarRating.objects.count() == 1


@pytest.mark.parametrize("who", ["staff_b", "manager", "coach", "admin", "other_admin"])
def test_only_staff_of_the_childs_group_may_log(cast, client, who):
    client.force_login(getattr(cast, who))
    assert client.get(url(cast.child_a)).status_code == 404
    assert client.post(url(cast.child_a), entry_data(cast.child_a)).status_code == 404
    assert Observation.objects.count() == 0


def test_staff_cannot_log_for_a_child_of_another_organisation_or_group(cast, client_for):
    client = client_for(cast.staff_a)
    for child in (cast.child_b, cast.child_c, cast.other_child):
        assert client.get(url(child)).status_code == 404
        assert client.post(url(child), entry_data(child)).status_code == 404
    assert client.get(reverse("observation_new", args=[999999])).status_code == 404
    assert Observation.objects.count() == 0


def test_logging_requires_login(cast, client):
    response = client.get(url(cast.child_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.fixture
def queries_while_rendering(monkeypatch):
    """The statements run inside a template's rendering (STYLE: build the data first, then render)."""
    from django.template.backends.django import Template
    from django.test.utils import CaptureQueriesContext

    found: list[str] = []
    original = Template.render

    def render(self, *args, **kwargs):
        with CaptureQueriesContext(connection) as captured:
            html = original(self, *args, **kwargs)
        found.extend(q["sql"] for q in captured.captured_queries)
        return html

    monkeypatch.setattr(Template, "render", render)
    return found


def test_the_entry_forms_run_no_query_while_they_are_drawn(cast, client_for, queries_while_rendering):
    """Who may be named as having observed together is read before the form is drawn: new and edit, and
    again when a form comes back with a message."""
    from tests.observation_factories import make_observation

    observation = make_observation(cast.child_a, cast.staff_a)
    client = client_for(cast.staff_a)
    new = client.get(reverse("observation_new", args=[cast.child_a.pk])).content.decode()
    assert 'name="observed_with"' in new
    assert 'name="observed_with"' in client.get(reverse("observation_edit", args=[observation.pk])).content.decode()
    refused = client.post(reverse("observation_new", args=[cast.child_a.pk]), entry_data(cast.child_a, date="morgen"))
    assert refused.status_code == 200 and 'name="observed_with"' in refused.content.decode()
    assert queries_while_rendering == []
