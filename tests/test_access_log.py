"""The access log (issue 10): every page that shows a child's observations writes one row in one
insert; an organisation admin reads it in the app, filtered, and downloads it as CSV."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access_log.models import AccessLog
from batch_export.models import BatchExport
from conversations.models import Agreement, Conversation
from observations.models import Visit
from organisations.calendar import today
from organisations.models import Location
from reports.prepared import draft_finish, draft_for, stored_handout
from tests import factories as f
from tests.observation_factories import make_observation

pytestmark = pytest.mark.django_db


def _inserts(queries):
    """The access-log statements of a request: exactly one INSERT, and no transaction around it."""
    sql = [q["sql"] for q in queries]
    inserts = [i for i, q in enumerate(sql) if q.startswith('INSERT INTO "reports_accesslog"')]
    assert all(i == 0 or sql[i - 1] != "BEGIN" for i in inserts), "one statement, not a transaction of its own"
    return inserts


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, queries.captured_queries


@pytest.fixture
def observed(cast):
    """child_a observed by staff_a; a second child in group A; a parent conversation of child_a."""
    second = f.make_child(cast.group_a, "Noor", mentor=cast.staff_a)
    observation = make_observation(cast.child_a, cast.staff_a, note="Zocht troost bij Anna.")
    make_observation(second, cast.staff_a)
    conversation = Conversation.objects.create(
        child=cast.child_a, date=today(), participants="moeder, mentor", recorded_by=cast.coach
    )
    return {"second": second, "observation": observation, "conversation": conversation}


def test_a_child_page_writes_one_row_naming_the_child(cast, observed, client_for):
    response, queries = _get(client_for(cast.staff_a), reverse("child_detail", args=[cast.child_a.pk]) + "?pijler=")
    assert len(_inserts(queries)) == 1
    row = AccessLog.objects.get()
    assert (row.user, row.child, row.organisation, row.action) == (
        cast.staff_a,
        cast.child_a,
        cast.org,
        AccessLog.Action.VIEW_CHILD,
    )
    assert row.children == [] and row.path.startswith(f"/kinderen/{cast.child_a.pk}/")


def test_an_observation_page_writes_one_row_with_the_observation(cast, observed, client_for):
    observation = observed["observation"]
    _, queries = _get(client_for(cast.manager), reverse("observation_detail", args=[observation.pk]))
    assert len(_inserts(queries)) == 1
    row = AccessLog.objects.get()
    assert (row.user, row.child, row.action, row.observation_id) == (
        cast.manager,
        cast.child_a,
        AccessLog.Action.VIEW_OBSERVATION,
        observation.pk,
    )


@pytest.mark.parametrize("page", ["observation_edit", "observation_remove"])
def test_the_change_and_removal_forms_write_one_row_with_the_observation(cast, observed, client_for, page):
    observation = observed["observation"]  # by staff_a, today: still open to change
    _, queries = _get(client_for(cast.staff_a), reverse(page, args=[observation.pk]))
    assert len(_inserts(queries)) == 1
    row = AccessLog.objects.get()
    assert (row.user, row.child, row.action, row.observation_id) == (
        cast.staff_a,
        cast.child_a,
        AccessLog.Action.VIEW_OBSERVATION,
        observation.pk,
    )


def test_a_parent_conversation_writes_one_row(cast, observed, client_for):
    _, queries = _get(client_for(cast.coach), reverse("conversation_detail", args=[observed["conversation"].pk]))
    assert len(_inserts(queries)) == 1
    assert AccessLog.objects.get().action == AccessLog.Action.VIEW_CONVERSATION


GROUP_PAGES = {
    "day view": ("staff_a", lambda c: reverse("group_detail", args=[c.group_a.pk]), AccessLog.Action.VIEW_GROUP),
    "group overview": (
        "manager",
        lambda c: reverse("group_overview", args=[c.group_a.pk]),
        AccessLog.Action.VIEW_GROUP_OVERVIEW,
    ),
    "mentor list": ("staff_a", lambda c: reverse("mentor_children"), AccessLog.Action.VIEW_MENTOR_LIST),
}


@pytest.mark.parametrize("page", GROUP_PAGES)
def test_a_group_page_writes_one_row_listing_the_children_shown(cast, observed, client_for, page):
    role, url, action = GROUP_PAGES[page]
    _, queries = _get(client_for(getattr(cast, role)), url(cast))
    assert len(_inserts(queries)) == 1
    row = AccessLog.objects.get()
    assert (row.user, row.child, row.organisation, row.action) == (getattr(cast, role), None, cast.org, action)
    assert sorted(row.children) == sorted([cast.child_a.pk, observed["second"].pk])


def test_the_location_page_lists_the_children_its_figures_were_made_of(cast, observed, client_for):
    _, queries = _get(client_for(cast.manager), reverse("location_detail", args=[cast.location1.pk]))
    assert len(_inserts(queries)) == 1
    row = AccessLog.objects.get()
    assert row.action == AccessLog.Action.VIEW_LOCATION
    assert sorted(row.children) == sorted([cast.child_a.pk, observed["second"].pk, cast.child_b.pk])


def test_a_group_of_many_children_is_still_one_row_in_one_insert(cast, client_for):
    children = [cast.child_a] + [f.make_child(cast.group_a, f"Kind{n:02d}") for n in range(20)]
    _, queries = _get(client_for(cast.staff_a), reverse("group_detail", args=[cast.group_a.pk]))
    assert len(_inserts(queries)) == 1
    assert sorted(AccessLog.objects.get().children) == sorted(c.pk for c in children)


def test_pages_without_observations_write_nothing(cast, observed, client_for):
    """An organisation admin sees the group and the child's facts, not their observations; 404s write nothing."""
    admin = client_for(cast.admin)
    assert admin.get(reverse("group_detail", args=[cast.group_a.pk])).status_code == 200
    assert admin.get(reverse("child_detail", args=[cast.child_a.pk])).status_code == 200
    outsider = client_for(cast.staff_b)
    assert outsider.get(reverse("child_detail", args=[cast.child_a.pk])).status_code == 404
    assert outsider.get(reverse("observation_detail", args=[observed["observation"].pk])).status_code == 404
    assert outsider.get(reverse("group_overview", args=[cast.group_a.pk])).status_code == 404
    assert not AccessLog.objects.exists()


# --- issue 19: every page that shows something of a child's record logs its read ------------------


def _agreement_due(observed):
    """An agreement nobody looked back on yet: the coach's home page lists it, with its text."""
    return Agreement.objects.create(
        conversation=observed["conversation"],
        text="Samen het afscheid oefenen.",
        who="mentor",
        follow_up=today() - datetime.timedelta(days=2),
    )


def _export_ready(cast, observed):
    """A zip of group A's PDFs made for the manager (the worker's part is tested in test_batch_export)."""
    export = BatchExport.objects.create(
        requested_by=cast.manager,
        organisation=cast.org,
        group=cast.group_a,
        weeks=12,
        status=BatchExport.Status.DONE,
        children=[cast.child_a.pk, observed["second"].pk],
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    export.file.save("pdfs-groep-a.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18))
    return [export.pk]


def _handout_draft(cast, observed):
    """The coach's open draft of child_a's handout (the preview shows one's own draft)."""
    draft_for(child=cast.child_a, user=cast.coach, weeks=12)
    return [cast.child_a.pk]


def _handout_ready(cast, observed):
    draft = draft_for(child=cast.child_a, user=cast.coach, weeks=12)
    ready = draft_finish(
        child=cast.child_a, user=cast.coach, draft_pk=draft.pk, handout=stored_handout(draft), left_out=set()
    )
    return [ready.pk]


def _childminder_home(cast, observed):
    """Location 1 made a childminder's home, which the coach visits: the visits overview lists child_a."""
    Location.objects.filter(pk=cast.location1.pk).update(kind=Location.Kind.CHILDMINDER)
    return []


def _home_visit(cast, observed):
    _childminder_home(cast, observed)
    return [Visit.objects.create(location=cast.location1, consultant=cast.coach, visited_on=today()).pk]


ONE_CHILD = "one child"
LISTED = "listed"
# Every page of the app (pages/urls.py) that shows something of a child's record (observations,
# conversations, agreements, summaries): who opens it, its arguments, the row it writes, and
# whether the row names the child (ONE_CHILD) or lists it among the children shown (LISTED).
READS = {
    "child_detail": ("staff_a", lambda c, o: [c.child_a.pk], AccessLog.Action.VIEW_CHILD, ONE_CHILD),
    "observation_detail": ("manager", lambda c, o: [o["observation"].pk], "observation", ONE_CHILD),
    "observation_edit": ("staff_a", lambda c, o: [o["observation"].pk], "observation", ONE_CHILD),
    "observation_remove": ("staff_a", lambda c, o: [o["observation"].pk], "observation", ONE_CHILD),
    "conversation_detail": ("coach", lambda c, o: [o["conversation"].pk], "conversation", ONE_CHILD),
    "conversation_edit": ("coach", lambda c, o: [o["conversation"].pk], "conversation", ONE_CHILD),
    "conversation_report_pdf": ("coach", lambda c, o: [o["conversation"].pk], AccessLog.Action.EXPORT, ONE_CHILD),
    "child_summary": ("coach", lambda c, o: [c.child_a.pk], AccessLog.Action.VIEW, ONE_CHILD),
    "child_summary_pdf": ("coach", lambda c, o: [c.child_a.pk], AccessLog.Action.EXPORT, ONE_CHILD),
    "child_parent_handout_pdf": ("coach", lambda c, o: [c.child_a.pk], AccessLog.Action.EXPORT, ONE_CHILD),
    "handout_prepare": ("coach", lambda c, o: [c.child_a.pk], AccessLog.Action.VIEW, ONE_CHILD),
    "handout_draft_pdf": ("coach", _handout_draft, AccessLog.Action.EXPORT, ONE_CHILD),
    "prepared_handout_pdf": ("coach", _handout_ready, AccessLog.Action.EXPORT, ONE_CHILD),
    "export_download": ("manager", _export_ready, AccessLog.Action.EXPORT, ONE_CHILD),
    "group_overview_csv": ("manager", lambda c, o: [c.group_a.pk], AccessLog.Action.EXPORT_CSV, ONE_CHILD),
    "group_detail": ("staff_a", lambda c, o: [c.group_a.pk], AccessLog.Action.VIEW_GROUP, LISTED),
    "group_overview": ("manager", lambda c, o: [c.group_a.pk], AccessLog.Action.VIEW_GROUP_OVERVIEW, LISTED),
    "location_detail": ("manager", lambda c, o: [c.location1.pk], AccessLog.Action.VIEW_LOCATION, LISTED),
    "mentor_children": ("staff_a", lambda c, o: [], AccessLog.Action.VIEW_MENTOR_LIST, LISTED),
    "home": ("coach", lambda c, o: [], AccessLog.Action.VIEW_FOLLOW_UP, LISTED),
    "visits": ("coach", _childminder_home, AccessLog.Action.VIEW_VISITS, LISTED),
    "visit_detail": ("coach", _home_visit, AccessLog.Action.VIEW_VISIT, LISTED),
}
# The other pages, and why they show nothing of a child's record.
SHOW_NO_RECORD = {
    "observation_new": "an empty entry form (the pillars the group watches come from the day view's own row)",
    "conversation_new": "an empty conversation form",
    "agreement_looked_back": "POST only",
    "group_export": "POST only: asks for a zip",
    "location_export": "POST only: asks for a zip",
    "export_status": "the progress of a zip",
    "export_progress": "the progress of a zip",
    "access_log": "the log itself: who saw whom",
    "access_log_csv": "the log itself: who saw whom",
    "privacy_statement": "the organisation's privacy statement",
    "planning_import": "an upload form",
    "planning_import_columns": "an upload's columns with an example value each, for the admin who uploaded it",
    "planning_import_plan": "the dry run of an upload: the file's names and what would change, no observations",
    "tablet_home": "the tablet's staff list",
    "tablet_register": "a form",
    "tablet_revoke": "POST only",
    "tablet_unlock": "a PIN form",
    "tablet_lock": "POST only",
    "pin_settings": "a PIN form",
    "connection_check": "an empty answer",
    "service_worker": "the offline worker's script, the same for everyone",
    "tablet_offline_pages": "the addresses of the day view and the empty entry forms a tablet keeps",
    "practice_round": "written vignettes about made-up children",
    "practice_later": "POST only",
    "practice_result": "one's own practice ratings of the vignettes",
    "location_agreement": "figures per pillar over many children, and the planned duos by child's name only",
    "duo_observation_new": "POST only: plans a duo-observation",
    "visit_new": "an empty home visit form",
    "visit_edit": "the agreements with the childminder, nothing of a child's record",
    "visit_plan": "POST only: plans the next home visit (its errors show the overview, which logs itself)",
}


def test_every_page_is_placed_among_the_reads_or_the_others():
    from pages.urls import urlpatterns

    names = {pattern.name for pattern in urlpatterns}
    assert names == set(READS) | set(SHOW_NO_RECORD) and not set(READS) & set(SHOW_NO_RECORD)


@pytest.mark.parametrize("name", READS)
def test_every_page_that_shows_a_childs_record_writes_a_row(cast, observed, client_for, name):
    """Issue 19: the conversation's edit form showed the parents' words and logged nothing."""
    role, arguments, action, how = READS[name]
    _agreement_due(observed)
    user = getattr(cast, role)
    response = client_for(user).get(reverse(name, args=arguments(cast, observed)))
    assert response.status_code == 200, name
    about = {"child": cast.child_a} if how == ONE_CHILD else {"children__contains": [cast.child_a.pk]}
    rows = AccessLog.objects.filter(user=user, action=action, **about)
    assert rows.exists(), f"{name} wrote {list(AccessLog.objects.values_list('action', 'child_id', 'children'))}"


def test_the_conversation_form_logs_its_read_when_it_shows_it_not_when_it_saves(cast, observed, client_for):
    conversation = observed["conversation"]
    client = client_for(cast.coach)
    url = reverse("conversation_edit", args=[conversation.pk])
    _, queries = _get(client, url)
    assert len(_inserts(queries)) == 1
    row = AccessLog.objects.get()
    assert (row.user, row.child, row.action, row.path) == (cast.coach, cast.child_a, "conversation", url)
    data = {
        "date": conversation.date.isoformat(),
        "participants": "moeder, mentor",
        "parents_context": "",
        "version": conversation.version,
        "afspraak-TOTAL_FORMS": "0",
        "afspraak-INITIAL_FORMS": "0",
    }
    assert client.post(url, data).status_code == 302
    assert AccessLog.objects.count() == 1  # the page after saving (the conversation) writes its own


def test_the_home_page_logs_the_children_whose_agreements_it_lists(cast, observed, client_for):
    assert client_for(cast.coach).get(reverse("home")).status_code == 200
    assert not AccessLog.objects.exists()  # nothing to follow up: nothing shown
    _agreement_due(observed)
    _, queries = _get(client_for(cast.coach), reverse("home"))
    assert len(_inserts(queries)) == 1
    row = AccessLog.objects.get()
    assert (row.user, row.action, row.children, row.child) == (cast.coach, "followup", [cast.child_a.pk], None)


# --- reading it: the page and the CSV ------------------------------------------------------------


def _some_rows(cast, client_for, observed):
    client_for(cast.staff_a).get(reverse("child_detail", args=[cast.child_a.pk]))
    client_for(cast.manager).get(reverse("group_overview", args=[cast.group_a.pk]))
    client_for(cast.coach).get(reverse("child_detail", args=[cast.child_c.pk]))
    f.add_membership(f.make_user("other.staff@example.test"), "staff", group=cast.other_group)
    from staff.models import User

    client_for(User.objects.get(email="other.staff@example.test")).get(
        reverse("child_detail", args=[cast.other_child.pk])
    )
    assert AccessLog.objects.count() == 4


@pytest.mark.parametrize("role", ["staff_a", "manager", "coach"])
def test_only_organisation_admins_read_the_access_log(cast, client_for, role):
    client = client_for(getattr(cast, role))
    assert client.get(reverse("access_log")).status_code == 404
    assert client.get(reverse("access_log_csv")).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("access_log"))
    assert response.status_code == 302 and "/inloggen/" in response["Location"]


def test_the_admin_reads_the_rows_of_their_own_organisation(cast, observed, client_for):
    _some_rows(cast, client_for, observed)
    page = client_for(cast.admin).get(reverse("access_log"))
    rows = page.context["rows"]
    assert len(rows) == 3  # not the other organisation's
    html = page.content.decode()
    assert "Sem Testmans" in html and "Noor Testmans" in html and "Olaf" not in html
    other = client_for(cast.other_admin).get(reverse("access_log")).context["rows"]
    assert [r.children[0].name for r in other] == ["Olaf Testmans"]


def test_the_home_page_links_the_access_log_for_admins_only(cast, client_for):
    assert reverse("access_log") in client_for(cast.admin).get(reverse("home")).content.decode()
    assert reverse("access_log") not in client_for(cast.manager).get(reverse("home")).content.decode()


def test_filters_by_child_user_action_and_period(cast, observed, client_for):
    _some_rows(cast, client_for, observed)
    old = AccessLog.objects.get(child=cast.child_c)
    AccessLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    client = client_for(cast.admin)

    def rows(**params):
        return client.get(reverse("access_log"), params).context["rows"]

    # A child's name finds its own rows and the group rows that listed it.
    assert {r.entry.action for r in rows(kind="sem")} == {
        AccessLog.Action.VIEW_CHILD,
        AccessLog.Action.VIEW_GROUP_OVERVIEW,
    }
    assert {r.entry.action for r in rows(kind_id=observed["second"].pk)} == {AccessLog.Action.VIEW_GROUP_OVERVIEW}
    assert [r.entry.user for r in rows(gebruiker=cast.coach.pk)] == [cast.coach]
    assert [r.entry.action for r in rows(actie="overview")] == [AccessLog.Action.VIEW_GROUP_OVERVIEW]
    recent = rows(van=(today() - datetime.timedelta(days=7)).isoformat())
    assert old.pk not in {r.entry.pk for r in recent} and len(recent) == 2
    assert [r.entry.pk for r in rows(tot=(today() - datetime.timedelta(days=30)).isoformat())] == [old.pk]
    # Another organisation's user is no choice, and filters nothing open.
    response = client.get(reverse("access_log"), {"gebruiker": cast.other_admin.pk})
    assert "gebruiker" in response.context["form"].errors


def test_the_page_runs_a_fixed_number_of_queries(cast, client_for, django_assert_num_queries):
    from django.test import Client

    reader, staff, manager = Client(), Client(), Client()
    reader.force_login(cast.admin)
    staff.force_login(cast.staff_a)
    manager.force_login(cast.manager)
    staff.get(reverse("group_detail", args=[cast.group_a.pk]))
    manager.get(reverse("child_detail", args=[cast.child_a.pk]))
    _, few = _get(reader, reverse("access_log"))
    for n in range(10):
        f.make_child(cast.group_a, f"Kind{n}")
        staff.get(reverse("group_detail", args=[cast.group_a.pk]))
        manager.get(reverse("child_detail", args=[cast.child_a.pk]))
    with django_assert_num_queries(len(few)):
        reader.get(reverse("access_log"))


def test_the_csv_opens_in_dutch_excel_and_guards_formulas(cast, client_for):
    tricky = f.make_child(cast.group_a, "=HYPERLINK(1)")
    client_for(cast.staff_a).get(reverse("child_detail", args=[tricky.pk]))
    response = client_for(cast.admin).get(reverse("access_log_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="inzagelog-')
    assert "no-store" in response["Cache-Control"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:5] == ["Wanneer", "Gebruiker", "E-mail", "Actie", "Kinderen"]
    cells = lines[1].split(";")
    assert cells[1] == "Anna" and cells[3] == "kindpagina (tijdlijn) bekeken"
    assert cells[4] == "'=HYPERLINK(1) Testmans"


def test_the_csv_takes_the_same_filter(cast, observed, client_for):
    _some_rows(cast, client_for, observed)
    response = client_for(cast.admin).get(reverse("access_log_csv"), {"actie": "overview"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and "groepsoverzicht bekeken" in lines[1]


def test_the_pages_links_name_the_rows_and_keep_the_filter(cast, client_for):
    """More than a page of rows: "Eerdere regels" and back, with the chosen user kept."""
    from pages.views.privacy import PAGE_SIZE

    AccessLog.objects.bulk_create(
        AccessLog(user=cast.coach, organisation=cast.org, action=AccessLog.Action.VIEW_CHILD, child=cast.child_a)
        for _ in range(PAGE_SIZE + 1)
    )
    client = client_for(cast.admin)
    first = client.get(reverse("access_log"), {"gebruiker": cast.coach.pk}).content.decode()
    assert f'<a class="page-link" href="?gebruiker={cast.coach.pk}&amp;page=2">Eerdere regels</a>' in first
    assert "Pagina 1 van 2" in first and "Recentere regels" not in first
    second = client.get(reverse("access_log"), {"gebruiker": cast.coach.pk, "page": 2}).content.decode()
    assert f'<a class="page-link" href="?gebruiker={cast.coach.pk}&amp;page=1">Recentere regels</a>' in second
