"""The "fragments" cache (attachment_site/settings.py): the entry form's untouched pillars and the outbox's
texts are kept per language, never with a person's, a child's or a request's data in them."""

import pickle
import re

import pytest
from django.core.cache import caches
from django.urls import reverse

from observations.services import RatingInput
from tests.observation_factories import entry_data, make_observation

pytestmark = pytest.mark.django_db


def kept_fragments() -> list[str]:
    """Every piece of markup the fragments cache holds in this process (LocMem keeps them pickled)."""
    store = caches["fragments"]._cache  # type: ignore[attr-defined]
    return [pickle.loads(value) for value in store.values()]


def test_the_untouched_pillars_are_kept_per_language(cast, client_for):
    client = client_for(cast.staff_a)
    url = reverse("observation_new", args=[cast.child_a.pk])
    dutch = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    dutch_again = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert ">zoekt geen troost</label>" in dutch and "Positieve affectie" in dutch
    assert ">niet gezien</label>" in dutch and ">not seen</label>" in english
    assert ">zoekt geen troost</label>" not in english
    assert ">niet gezien</label>" in dutch_again
    # In each language: the date and moment, eight pillars, circumstances and note, the outbox's texts.
    assert len(kept_fragments()) == 2 * 11


def test_no_person_child_or_request_data_is_kept(cast, client_for):
    client = client_for(cast.staff_a)
    html = client.get(reverse("observation_new", args=[cast.child_a.pk])).content.decode()
    client_for(cast.staff_b).get(reverse("observation_new", args=[cast.child_b.pk]))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert csrf is not None
    kept = "".join(kept_fragments())
    assert "fieldset" in kept and "outbox-texts" in kept
    for private in [
        cast.child_a.first_name,
        cast.child_b.first_name,
        f"new-{cast.child_a.pk}",
        "signin-user",
        "offline-texts",
        "csrf",
        csrf.group(1),
        cast.staff_a.email,
    ]:
        assert private not in kept


def test_each_request_gets_its_own_csrf_token_and_person(cast, client_for):
    url_a = reverse("observation_new", args=[cast.child_a.pk])
    first = client_for(cast.staff_a).get(url_a).content.decode()
    other = client_for(cast.staff_b).get(reverse("observation_new", args=[cast.child_b.pk])).content.decode()
    assert f'data-user="{cast.staff_a.pk}"' in first and f'data-user="{cast.staff_b.pk}"' in other
    token = re.compile(r'data-csrf="([^"]+)"')
    assert token.search(first).group(1) != token.search(other).group(1)
    assert "Sem" in first and "Tess" not in first and "Tess" in other


def test_a_pillar_with_an_answer_is_drawn_anew(cast, client_for):
    """After the untouched pillars were kept, a refused form shows what was chosen and an edit shows
    the saved answer: only untouched rows come from the cache."""
    client = client_for(cast.staff_a)
    url = reverse("observation_new", args=[cast.child_a.pk])
    client.get(url)
    data = entry_data(cast.child_a, kind_comfort_seeking="low", strength_comfort_seeking="", date="")
    refused = client.post(url, data).content.decode()
    assert 'name="kind_comfort_seeking" id="id_kind_comfort_seeking_2" value="low" checked' in refused
    assert 'id="id_kind_reunion_0" value="" checked' in refused  # an untouched pillar beside it

    rating = RatingInput(pillar="reunion", kind="high", strength="clear")
    observation = make_observation(cast.child_a, cast.staff_a, ratings=[rating])
    edit = client.get(reverse("observation_edit", args=[observation.pk])).content.decode()
    assert re.search(r'name="kind_reunion" id="id_kind_reunion_\d" value="high" checked', edit)
    assert 'name="strength_reunion" id="id_strength_reunion_clear" value="clear" checked' in edit
