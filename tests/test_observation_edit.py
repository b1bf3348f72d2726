"""Changing and removing an entry: the observer only, within 7 days, edit conflicts, history kept."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from observations.models import Observation, PillarRating
from observations.services import RatingInput
from tests import factories as f
from tests.observation_factories import days_ago, make_observation

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(cast):
    return make_observation(
        cast.child_a,
        cast.staff_a,
        date=days_ago(1),
        situation="meal",
        note="Eerste versie.",
        ratings=[RatingInput(pillar="comfort_seeking", kind="low", strength="slight", note="Bleef zitten na vallen.")],
    )


def edit_data(observation, **overrides):
    data = {
        "child": str(observation.child_id),
        "version": str(observation.version),
        "date": observation.date.isoformat(),
        "situation": "outside",
        "circumstances": ["busy_group"],
        "note": "Tweede versie.",
        "kind_comfort_seeking": "low",
        "strength_comfort_seeking": "clear",
        "note_comfort_seeking": "Bleef zitten na vallen, zocht niemand op.",
        "kind_reunion": "typical",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_url(observation):
    return reverse("observation_edit", args=[observation.pk])


def remove_url(observation):
    return reverse("observation_remove", args=[observation.pk])


def detail_url(observation):
    return reverse("observation_detail", args=[observation.pk])


def test_the_observer_changes_an_entry_and_the_change_is_kept(cast, client_for, entry):
    client = client_for(cast.staff_a)
    form = client.get(edit_url(entry)).content.decode()
    assert "Waarneming van Sem Testmans wijzigen" in form and "Eerste versie." in form
    response = client.post(edit_url(entry), edit_data(entry))
    assert response.status_code == 302 and response["Location"] == detail_url(entry)
    entry.refresh_from_db()
    assert (entry.situation, entry.note, entry.circumstances, entry.version) == (
        "outside",
        "Tweede versie.",
        ["busy_group"],
        2,
    )
    assert dict(entry.ratings.values_list("pillar", "value")) == {"comfort_seeking": -2, "reunion": 0}
    # Before and after, who and when: simple_history keeps every version.
    versions = list(entry.history.order_by("history_date"))
    assert [v.note for v in versions] == ["Eerste versie.", "Tweede versie."]
    assert versions[-1].history_user == cast.staff_a
    page = client.get(detail_url(entry)).content.decode()
    assert "Wijzigingsgeschiedenis" in page
    assert "eten en drinken" in page and "buiten" in page  # moment before and after
    assert "opvallend: zoekt geen troost, licht" in page and "opvallend: zoekt geen troost, duidelijk" in page
    assert "Eerste versie." in page and "Tweede versie." in page


def test_the_edit_form_refuses_bad_input_and_changes_nothing(cast, client_for, entry):
    client = client_for(cast.staff_a)
    data = edit_data(entry, kind_comfort_seeking="", strength_comfort_seeking=None, note_comfort_seeking=None)
    data.pop("kind_reunion")
    response = client.post(edit_url(entry), data)
    assert response.status_code == 200
    assert "Beoordeel minstens één pijler die je zag." in response.content.decode()
    future = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = client.post(edit_url(entry), edit_data(entry, date=future))
    assert "De datum kan niet in de toekomst liggen." in response.content.decode()
    entry.refresh_from_db()
    assert (entry.version, entry.note) == (1, "Eerste versie.")
    assert entry.ratings.get().value == -1


def test_a_second_save_based_on_an_old_version_is_refused(cast, client_for, entry):
    """Two people (or two tabs) opened version 1; the first save wins, the second is told."""
    client = client_for(cast.staff_a)
    first = edit_data(entry, note="Eerste tabblad.")
    second = edit_data(entry, note="Tweede tabblad.", kind_reunion=None)
    assert client.post(edit_url(entry), first).status_code == 302
    response = client.post(edit_url(entry), second)
    assert response.status_code == 200
    assert "Iemand anders heeft deze waarneming gewijzigd of verwijderd nadat jij hem opende." in (
        response.content.decode()
    )
    entry.refresh_from_db()
    assert (entry.note, entry.version) == ("Eerste tabblad.", 2)
    assert entry.ratings.filter(pillar="reunion").exists()  # not silently overwritten
    assert entry.history.count() == 2


def test_an_entry_cannot_be_changed_after_seven_days(cast, client_for, entry):
    Observation.objects.filter(pk=entry.pk).update(created_at=timezone.now() - datetime.timedelta(days=7, hours=1))
    client = client_for(cast.staff_a)
    response = client.post(edit_url(entry), edit_data(entry), follow=True)
    assert "alleen door de waarnemer gewijzigd of verwijderd worden, binnen 7 dagen" in response.content.decode()
    assert client.post(remove_url(entry), {"version": "1"}).status_code == 302
    entry.refresh_from_db()
    assert (entry.note, entry.removed_at) == ("Eerste versie.", None)


def test_other_people_cannot_change_or_remove_the_entry(cast, client, entry):
    colleague = f.make_user(first_name="Carla")
    f.add_membership(colleague, "staff", group=cast.group_a)
    for user in (colleague, cast.staff_b, cast.manager, cast.coach, cast.admin, cast.other_admin):
        client.force_login(user)
        assert client.get(edit_url(entry)).status_code == 404
        assert client.post(edit_url(entry), edit_data(entry)).status_code == 404
        assert client.post(remove_url(entry), {"version": "1"}).status_code == 404
    entry.refresh_from_db()
    assert (entry.version, entry.removed_at) == (1, None)


def test_readers_see_the_entry_and_its_history_outsiders_get_404(cast, client, entry):
    colleague = f.make_user(first_name="Carla")
    f.add_membership(colleague, "staff", group=cast.group_a)
    for user in (colleague, cast.manager, cast.coach):
        client.force_login(user)
        html = client.get(detail_url(entry)).content.decode()
        assert "Wijzigingsgeschiedenis" in html and "Bleef zitten na vallen." in html
        assert edit_url(entry) not in html
    for user in (cast.staff_b, cast.admin, cast.other_admin):
        client.force_login(user)
        assert client.get(detail_url(entry)).status_code == 404


def test_removal_is_soft_and_stays_in_the_audit_trail(cast, client_for, entry):
    client = client_for(cast.staff_a)
    assert "Waarneming verwijderen" in client.get(remove_url(entry)).content.decode()
    response = client.post(remove_url(entry), {"version": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("child_detail", args=[cast.child_a.pk])
    entry.refresh_from_db()
    assert entry.removed_at is not None and entry.removed_by == cast.staff_a
    assert PillarRating.objects.filter(observation=entry).exists()
    assert not Observation.objects.active().filter(pk=entry.pk).exists()
    assert not Observation.objects.visible_to(cast.staff_a).filter(pk=entry.pk).exists()
    last = entry.history.order_by("-history_date").first()
    assert last.removed_at is not None and last.history_user == cast.staff_a
    assert "Bleef zitten na vallen." not in client.get(reverse("child_detail", args=[cast.child_a.pk])).content.decode()
    assert client.get(detail_url(entry)).status_code == 404
    assert client.get(edit_url(entry)).status_code == 404


def test_removal_based_on_an_old_version_is_refused(cast, client_for, entry):
    client = client_for(cast.staff_a)
    client.post(edit_url(entry), edit_data(entry))
    response = client.post(remove_url(entry), {"version": "1"})
    assert response.status_code == 200
    assert "Iemand anders heeft deze waarneming gewijzigd" in response.content.decode()
    entry.refresh_from_db()
    assert entry.removed_at is None


def test_changing_the_date_takes_the_group_of_that_day(cast, client_for):
    from children.models import Placement
    from staff.models import Role

    # Sem moved from group A to group B two days ago; Anna works in both groups.
    f.add_membership(cast.staff_a, Role.STAFF, group=cast.group_b)
    Placement.objects.filter(child=cast.child_a, group=cast.group_a).update(end_date=days_ago(3))
    Placement.objects.create(child=cast.child_a, group=cast.group_b, start_date=days_ago(2))
    entry = make_observation(
        cast.child_a, cast.staff_a, date=days_ago(5), ratings=[RatingInput(pillar="reunion", kind="typical")]
    )
    assert entry.group == cast.group_a
    client = client_for(cast.staff_a)
    response = client.post(edit_url(entry), edit_data(entry, date=days_ago(1).isoformat()))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.date, entry.group) == (days_ago(1), cast.group_b)
    # A day on which Sem was in none of Anna's groups is refused and changes nothing.
    before_first_placement = cast.child_a.placements.order_by("start_date").first().start_date - datetime.timedelta(1)
    response = client.post(edit_url(entry), edit_data(entry, date=before_first_placement.isoformat()))
    assert response.status_code == 200
    assert "niet geplaatst in een van jouw groepen" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.date, entry.group) == (days_ago(1), cast.group_b)
