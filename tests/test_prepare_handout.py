"""Issue 21: the coach (or the child's mentor) prepares the parent handout before it is printed, and
what was handed over is kept as it was.

The prepare page opens the generated handout as the person's draft; each sentence can be changed or
left out, the staff notes it quotes swapped; "Klaar" stores the text as printed, and a reprint renders
that stored text, whatever is observed afterwards. The conversation record names the handout that was
handed over. Bad input (an empty sentence, a note of another child, a form of a draft that is gone)
gets a Dutch message and saves nothing."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from access_log.models import AccessLog
from children.models import Placement
from conversations.models import Conversation
from observations.models import PillarRating
from organisations.calendar import today as calendar_today
from organisations.models import Location
from reports.models import PreparedHandout
from staff.models import Role
from tests import factories as f
from tests.report_data import observe, weeks_ago

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

NOTES = [
    "Zocht geen troost na het vallen bij de glijbaan",
    "Bleef stil zitten toen hij zijn vinger klemde",
    "Liep weg van de mentor na het stoten van zijn hoofd",
    "Huilde even en speelde alleen verder",
    "Keek niet op toen een kind zijn toren omgooide",
    "Ging na de val bij het raam staan, niet naar ons",
]


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def observed(cast):
    """Sem (child_a, mentor staff_a): six weeks of not seeking comfort, each with its own note, so the
    section has two suggested quotes and four others to pick from; reunion goes well."""
    colleague = f.make_user("collega.a@example.test", first_name="Carla")
    f.add_membership(colleague, Role.STAFF, group=cast.group_a)
    for n, note in enumerate(NOTES, start=1):
        observe(
            cast.child_a,
            (cast.staff_a, colleague)[n % 2],
            weeks_ago(n),
            {"comfort_seeking": -2, "reunion": 0},
            notes={"comfort_seeking": note, "reunion": "Zwaaide en liep blij naar papa"},
        )
    observe(cast.child_b, cast.staff_b, weeks_ago(1), {"comfort_seeking": -2}, notes={"comfort_seeking": "Van Tess"})
    return colleague


def url(child):
    return reverse("handout_prepare", args=[child.pk])


def form_data(response, **changes):
    """What the browser sends back unchanged: each field's value as the page filled it in."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = list(value)
        elif value is not None:
            data[name] = str(value)
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def noticed_quotes(response):
    """(chosen keys, every key) of the first section of what stood out."""
    form = response.context["form"]
    field = form["noticed-0-quotes"]
    return list(field.value()), [key for key, _label in field.field.choices]


def quote_text(key):
    return PillarRating.objects.get(pk=int(key.removeprefix("r"))).note


def sentence_name(response, part):
    """The name of the first sentence field of a part ("noticed-0", "intro")."""
    return next(name for name in response.context["form"].fields if name.startswith(f"{part}-") and name[-1].isdigit())


def test_who_may_prepare_the_handout(cast, observed, client):
    colleague = observed  # staff of Sem's group, not his mentor
    expected = {
        "coach": (cast.coach, 200),
        "mentor": (cast.staff_a, 200),
        "manager": (cast.manager, 404),
        "group staff, not the mentor": (colleague, 404),
        "staff of another group": (cast.staff_b, 404),
        "admin": (cast.admin, 404),
        "admin of another organisation": (cast.other_admin, 404),
    }
    for who, (user, status) in expected.items():
        client.force_login(user)
        assert client.get(url(cast.child_a)).status_code == status, who
        before = PreparedHandout.objects.count()
        response = client.post(url(cast.child_a), {"action": "ready", "draft": "1"})
        if status == 404:
            assert response.status_code == 404, who
            assert client.get(reverse("handout_draft_pdf", args=[cast.child_a.pk])).status_code == 404, who
        assert PreparedHandout.objects.count() == before, who
    client.logout()
    for response in (client.get(url(cast.child_a)), client.post(url(cast.child_a), {"action": "ready"})):
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    # Only the coach and the mentor have a draft: each their own.
    assert sorted(PreparedHandout.objects.values_list("prepared_by__email", flat=True)) == sorted(
        [cast.coach.email, cast.staff_a.email]
    )


def test_the_page_opens_the_generated_handout_as_a_draft_and_continues_it(cast, observed, client_for):
    client = client_for(cast.coach)
    response = client.get(url(cast.child_a))
    html = response.content.decode()
    assert "Oudergesprek voorbereiden" in html
    for label in ("Voorbeeld bekijken (PDF)", "Klaar", "Opnieuw beginnen", "Weglaten", "Wat ons opviel"):
        assert label in html, label
    draft = PreparedHandout.objects.get()
    assert draft.status == "draft" and draft.prepared_by == cast.coach and draft.language == "nl"
    assert draft.weeks == 12 and draft.period_end >= draft.period_start
    chosen, options = noticed_quotes(response)
    assert len(chosen) == 2 and len(options) == 6
    for key in options:  # every note of the section, the suggested ones ticked
        assert quote_text(key) in html
    assert html.count("checked") >= 2
    # Continued, not generated again; "Opnieuw beginnen" does generate it again.
    edited = client.post(url(cast.child_a), form_data(response, action="preview", **{"intro-0": "Een eigen begin."}))
    assert edited.status_code == 302
    again = client.get(url(cast.child_a))
    assert PreparedHandout.objects.get().pk == draft.pk and "Een eigen begin." in again.content.decode()
    client.post(url(cast.child_a), {"action": "restart"})
    fresh = PreparedHandout.objects.get()
    assert fresh.pk != draft.pk and "Een eigen begin." not in client.get(url(cast.child_a)).content.decode()


def test_an_edited_sentence_and_a_swapped_quote_are_stored_and_printed(cast, observed, client_for):
    client = client_for(cast.coach)
    response = client.get(url(cast.child_a))
    chosen, options = noticed_quotes(response)
    dropped, picked = chosen[0], next(k for k in options if k not in chosen)
    keep = [k for k in chosen if k != dropped] + [picked]
    sentence = sentence_name(response, "noticed-0")
    left_out = sentence_name(response, "questions")
    left_out_text = response.context["form"][left_out].value()
    data = form_data(
        response,
        action="preview",
        **{
            sentence: "In de herfst zocht Sem na een val vaak geen troost bij ons.",
            "noticed-0-quotes": keep,
            f"{left_out}-out": "on",
        },
    )
    preview = client.post(url(cast.child_a), data)
    assert preview.status_code == 302 and preview["Location"] == reverse("handout_draft_pdf", args=[cast.child_a.pk])
    pdf = client.get(preview["Location"])
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "In de herfst zocht Sem na een val vaak geen troost bij ons." in text
    assert quote_text(picked) in text and quote_text(dropped) not in text
    assert left_out_text not in text

    ready = client.post(url(cast.child_a), {**data, "action": "ready"})
    assert ready.status_code == 302 and ready["Location"] == reverse("child_detail", args=[cast.child_a.pk])
    handout = PreparedHandout.objects.get()
    assert handout.status == "ready" and handout.ready_at is not None and handout.prepared_by == cast.coach
    section = handout.content["noticed"][0]
    assert section["sentences"][0] == "In de herfst zocht Sem na een val vaak geen troost bij ons."
    assert [q["key"] for q in section["quotes"]] == [k for k in options if k in keep]
    assert section["alternatives"] == []  # only what was printed
    assert left_out_text not in handout.content["questions"] and handout.left_out == []
    reprint = client.get(reverse("prepared_handout_pdf", args=[handout.pk]))
    assert reprint.status_code == 200
    assert pdf_text(reprint.content) == text
    # The child page shows it, with the reprint.
    page = client.get(reverse("child_detail", args=[cast.child_a.pk])).content.decode()
    assert "voorbereid door Coen" in page and reverse("prepared_handout_pdf", args=[handout.pk]) in page


def test_an_empty_sentence_is_refused_unless_it_is_left_out(cast, observed, client_for):
    client = client_for(cast.coach)
    response = client.get(url(cast.child_a))
    draft = PreparedHandout.objects.get()
    sentence = sentence_name(response, "noticed-0")
    for empty in ("  ", "\u200b\u200b\ufeff"):  # white space, or text that shows nothing
        refused = client.post(url(cast.child_a), form_data(response, action="ready", **{sentence: empty}))
        assert refused.status_code == 200
        html = refused.content.decode()
        assert "Er is niets opgeslagen" in html
        assert "Deze zin is leeg: schrijf hem, of vink" in html
        assert refused.context["form"].errors.keys() == {sentence}
        after = PreparedHandout.objects.get()
        assert (after.status, after.content, after.updated_at) == ("draft", draft.content, draft.updated_at)
    # Left out, an empty sentence is fine: it is not printed.
    data = form_data(response, action="ready", **{sentence: "", f"{sentence}-out": "on"})
    assert client.post(url(cast.child_a), data).status_code == 302
    assert PreparedHandout.objects.get().status == "ready"


def test_a_note_of_another_child_is_refused(cast, observed, client_for):
    client = client_for(cast.coach)
    response = client.get(url(cast.child_a))
    draft = PreparedHandout.objects.get()
    foreign = PillarRating.objects.get(observation__child=cast.child_b)
    data = form_data(response, action="ready", **{"noticed-0-quotes": [f"r{foreign.pk}"]})
    refused = client.post(url(cast.child_a), data)
    assert refused.status_code == 200
    assert "Deze notitie hoort niet bij de notities van dit kind die hier passen" in refused.content.decode()
    assert PreparedHandout.objects.count() == 1
    after = PreparedHandout.objects.get()
    assert (after.status, after.content) == ("draft", draft.content)
    assert "Van Tess" not in str(after.content)


def test_a_stale_form_is_refused(cast, observed, client_for):
    client = client_for(cast.coach)
    first = client.get(url(cast.child_a))
    # The same person finishes the draft in another window.
    assert client.post(url(cast.child_a), form_data(first, action="ready")).status_code == 302
    ready = PreparedHandout.objects.get()
    stale = client.post(url(cast.child_a), form_data(first, action="ready", **{"intro-0": "Later veranderd."}))
    assert stale.status_code == 302 and stale["Location"] == url(cast.child_a)
    assert PreparedHandout.objects.count() == 1
    assert PreparedHandout.objects.get().content == ready.content
    message = client.get(stale["Location"]).content.decode()
    assert "Je wijzigingen zijn niet opgeslagen" in message
    # A draft begun again in another window: the old form saves nothing either.
    old = client.get(url(cast.child_a))
    client.post(url(cast.child_a), {"action": "restart"})
    new = PreparedHandout.objects.get(status="draft")
    stale = client.post(url(cast.child_a), form_data(old, action="preview", **{"intro-0": "Oud formulier."}))
    assert stale.status_code == 302 and stale["Location"] == url(cast.child_a)
    assert PreparedHandout.objects.get(status="draft").content == new.content
    assert PreparedHandout.objects.count() == 2


def test_the_reprint_is_the_stored_text_after_new_observations(cast, observed, client_for):
    client = client_for(cast.staff_a)  # the mentor
    response = client.get(url(cast.child_a))
    client.post(url(cast.child_a), form_data(response, action="ready"))
    handout = PreparedHandout.objects.get(status="ready")
    reprint_url = reverse("prepared_handout_pdf", args=[handout.pk])
    before = pdf_text(client.get(reprint_url).content)
    # New observations change what a generated handout would say ...
    for n in range(1, 3):
        observe(
            cast.child_a,
            cast.staff_a,
            weeks_ago(n, weekday=3),
            {"reunion": 0},
            notes={"reunion": f"Klom nieuw op de kast en rende naar mama, keer {n}"},
        )
    generated = client.get(f"{reverse('child_parent_handout_pdf', args=[cast.child_a.pk])}?weken=12")
    assert "Klom nieuw op de kast" in pdf_text(generated.content)
    # ... not the handout that was handed over.
    after = client.get(reprint_url)
    assert pdf_text(after.content) == before
    assert "Klom nieuw op de kast" not in before


def test_who_may_print_a_ready_handout_again(cast, observed, client_for, client):
    client_for(cast.coach)
    response = client.get(url(cast.child_a))
    client.post(url(cast.child_a), form_data(response, action="ready"))
    handout = PreparedHandout.objects.get()
    reprint = reverse("prepared_handout_pdf", args=[handout.pk])
    expected = {
        cast.coach: 200,
        cast.manager: 200,  # reads the parent conversations
        cast.staff_a: 200,  # the mentor
        observed: 404,  # staff of the group: no parents' conversations
        cast.staff_b: 404,
        cast.admin: 404,
        cast.other_admin: 404,
    }
    for user, status in expected.items():
        client.force_login(user)
        assert client.get(reprint).status_code == status, user
    # A draft is no handout to print again.
    client.force_login(cast.staff_a)
    client.get(url(cast.child_a))
    draft = PreparedHandout.objects.get(status="draft")
    assert client.get(reverse("prepared_handout_pdf", args=[draft.pk])).status_code == 404


def test_preparing_and_printing_are_in_the_access_log(cast, observed, client_for):
    client = client_for(cast.coach)
    response = client.get(url(cast.child_a))
    client.post(url(cast.child_a), form_data(response, action="preview"))
    client.get(reverse("handout_draft_pdf", args=[cast.child_a.pk]))
    client.post(url(cast.child_a), form_data(response, action="ready"))
    handout = PreparedHandout.objects.get()
    client.get(reverse("prepared_handout_pdf", args=[handout.pk]))
    rows = list(AccessLog.objects.filter(child=cast.child_a).order_by("pk"))
    assert [(r.action, r.path) for r in rows] == [
        (AccessLog.Action.VIEW, url(cast.child_a)),
        (AccessLog.Action.EXPORT, reverse("handout_draft_pdf", args=[cast.child_a.pk])),
        (AccessLog.Action.EXPORT, reverse("prepared_handout_pdf", args=[handout.pk])),
    ]
    for row in rows:
        assert row.user == cast.coach and row.weeks == 12
        assert (row.period_start, row.period_end) == (handout.period_start, handout.period_end)


def _ready_on(client, child, moment):
    with time_machine.travel(moment, tick=False):
        response = client.get(url(child))
        client.post(url(child), form_data(response, action="ready"))
    return PreparedHandout.objects.filter(status="ready").latest("ready_at")


def test_the_conversation_record_shows_the_handout_handed_over(cast, observed, client_for):
    client = client_for(cast.coach)
    today = calendar_today()  # the day in Amsterdam, as the app counts it
    earlier = _ready_on(
        client,
        cast.child_a,
        datetime.datetime.combine(today - datetime.timedelta(days=40), datetime.time(9), AMSTERDAM),
    )
    first = Conversation.objects.create(
        child=cast.child_a, date=today - datetime.timedelta(days=30), participants="moeder", recorded_by=cast.coach
    )
    handout = _ready_on(
        client, cast.child_a, datetime.datetime.combine(today - datetime.timedelta(days=2), datetime.time(9), AMSTERDAM)
    )
    second = Conversation.objects.create(child=cast.child_a, date=today, participants="vader", recorded_by=cast.coach)
    page = client.get(reverse("conversation_detail", args=[second.pk])).content.decode()
    assert "Uitgereikt" in page
    assert "handout van" in page and "voorbereid door Coen" in page
    assert reverse("prepared_handout_pdf", args=[handout.pk]) in page
    assert reverse("prepared_handout_pdf", args=[earlier.pk]) not in page  # handed over at the first one
    page = client.get(reverse("conversation_detail", args=[first.pk])).content.decode()
    assert reverse("prepared_handout_pdf", args=[earlier.pk]) in page
    assert reverse("prepared_handout_pdf", args=[handout.pk]) not in page


def test_the_way_in_is_at_the_top_of_the_child_page_and_in_the_mentor_list(cast, observed, client_for, client):
    prepare, record = url(cast.child_a), reverse("conversation_new", args=[cast.child_a.pk])
    for user in (cast.coach, cast.staff_a):
        client.force_login(user)
        html = client.get(reverse("child_detail", args=[cast.child_a.pk])).content.decode()
        top = html.split('id="timeline-title"', 1)[0]  # above the observations
        assert top != html and prepare in top and record in top, user
        assert html.count(f'href="{record}"') == 1, user  # once, at the top
        assert "Oudergesprek voorbereiden" in html
    client.force_login(cast.staff_a)
    mentor_list = client.get(reverse("mentor_children")).content.decode()
    assert prepare in mentor_list and record in mentor_list
    for user in (cast.manager, observed):
        client.force_login(user)
        html = client.get(reverse("child_detail", args=[cast.child_a.pk])).content.decode()
        assert prepare not in html and record not in html, user


def test_erasing_the_child_removes_its_handouts_and_their_history(cast, observed, client_for):
    from privacy.erasure import erase_child

    client = client_for(cast.coach)
    client.post(url(cast.child_a), form_data(client.get(url(cast.child_a)), action="ready"))
    client.get(url(cast.child_a))  # and a new draft
    child_id = cast.child_a.pk
    assert PreparedHandout.objects.filter(child_id=child_id).count() == 2
    erase_child(cast.child_a, rule=AccessLog.Rule.REQUEST)
    assert not PreparedHandout.objects.filter(child_id=child_id).exists()
    assert not PreparedHandout.history.filter(child_id=child_id).exists()


def test_a_child_with_little_observed_gets_the_getting_to_know_handout_to_prepare(cast, client_for):
    client = client_for(cast.coach)
    response = client.get(url(cast.child_c))  # Daan, location 2: nothing observed yet
    assert response.status_code == 200
    assert "to_watch" in response.context["form"].fields
    data = form_data(response, action="ready", to_watch="Hoe Daan troost zoekt en hoe het afscheid gaat.")
    assert client.post(url(cast.child_c), data).status_code == 302
    handout = PreparedHandout.objects.get(child=cast.child_c)
    assert handout.content["getting_to_know"] and handout.content["to_watch"].startswith("Hoe Daan troost zoekt")
    text = pdf_text(client.get(reverse("prepared_handout_pdf", args=[handout.pk])).content)
    assert "Hoe Daan troost zoekt en hoe het afscheid gaat." in text


def test_the_handout_is_written_and_reprinted_in_the_parents_language(cast, observed, client_for):
    Child = type(cast.child_a)
    Child.objects.filter(pk=cast.child_a.pk).update(parents_language="en")
    client = client_for(cast.coach)
    response = client.get(url(cast.child_a))
    html = response.content.decode()
    assert "Oudergesprek over Sem Testmans voorbereiden" in html  # the page in the coach's language
    assert "geschreven in de taal van de ouders: English" in html  # (each language is named in its own words)
    assert 'lang="en"' in html  # the sentences' fields say their language
    client.post(url(cast.child_a), form_data(response, action="ready"))
    handout = PreparedHandout.objects.get()
    assert handout.language == "en" and "What goes well" not in str(handout.content)
    text = pdf_text(client.get(reverse("prepared_handout_pdf", args=[handout.pk])).content)
    assert "What stood out to us" in text and "Wat ons opviel" not in text


def test_the_database_refuses_to_change_a_ready_handout(cast, observed, client_for):
    from django.db import IntegrityError, transaction

    client = client_for(cast.coach)
    client.post(url(cast.child_a), form_data(client.get(url(cast.child_a)), action="ready"))
    handout = PreparedHandout.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PreparedHandout.objects.filter(pk=handout.pk).update(content={"intro": ["Anders."]})
    with pytest.raises(IntegrityError), transaction.atomic():
        PreparedHandout.objects.filter(pk=handout.pk).update(status="draft", ready_at=None)
    assert PreparedHandout.objects.get().content == handout.content


def test_the_page_names_who_wrote_the_notes_after_the_place(cast, nest, observed, client_for):
    """At a childminder's home one person, the gastouder, writes every note: the page says so, never
    "medewerkers" (Child.cared_for_at_childminder_home decides, reports/prepared.py words it)."""
    at_centre = client_for(cast.coach).get(url(cast.child_a)).content.decode()
    assert "Kies welke notities van de medewerkers erin staan." in at_centre
    with_gastouder = client_for(nest.gastouder_x).get(url(nest.child_x))  # the child's mentor
    assert with_gastouder.status_code == 200
    html = with_gastouder.content.decode()
    assert "Kies welke notities van de gastouder erin staan." in html
    intro = html[html.index("<h1") : html.index('class="handout-form"')]
    assert "medewerker" not in intro
    # A centre's organisation with a childminder's home of its own: the place decides, on the day.
    home = f.make_location(cast.org, "Gastouder Els", kind=Location.Kind.CHILDMINDER)
    placement = cast.child_a.placements.get()
    day = calendar_today()
    Placement.objects.create(child=cast.child_a, group=f.make_group(home, "Bij Els"), start_date=day)
    assert cast.child_a.cared_for_at_childminder_home()
    html = client_for(cast.coach).get(url(cast.child_a)).content.decode()
    assert "Kies welke notities van de gastouder erin staan." in html
    assert not cast.child_a.cared_for_at_childminder_home(day - datetime.timedelta(days=1))
    assert placement.group.location.kind == Location.Kind.CENTRE
    # An agency's child is always at a childminder's home, placed today or not.
    nest.child_x.placements.all().delete()
    assert nest.child_x.cared_for_at_childminder_home()
