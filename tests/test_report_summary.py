"""The summary page: scoping per role, access log, fixed queries, weeks parameter, no labels."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access_log.models import AccessLog
from reports.patterns import PatternKind
from reports.summary import child_summary, parse_weeks
from tests.report_data import give_recurring_comfort_pattern, many_observations, observe, weeks_ago

pytestmark = pytest.mark.django_db

# Attachment styles and disorders, in Dutch and English: never on the page or in the PDF.
FORBIDDEN = re.compile(
    r"\b(in)?secure\b|\bsecurely\b|avoidant|ambivalent|disorgani[sz]ed|attachment disorder|"
    r"veilig gehecht|veilige (ge)?hechting|vermijdend|gedesorganiseerd|hechtingsstoornis|gehechtheidsstoornis|"
    r"stoornis",
    re.IGNORECASE,
)


def summary_url(child, weeks=None):
    url = reverse("child_summary", args=[child.pk])
    return f"{url}?weken={weeks}" if weeks is not None else url


EXPECTED = {  # who may open the summary of child_a (group A, location 1) and child_c (location 2)
    "staff_a": (200, 404),
    "staff_b": (404, 404),
    "manager": (200, 404),
    "coach": (200, 200),
    "admin": (404, 404),
    "other_admin": (404, 404),
}


@pytest.mark.parametrize("role", EXPECTED)
def test_it_checks_access_for_every_role(cast, client_for, role):
    client = client_for(getattr(cast, role))
    for child, expected in zip((cast.child_a, cast.child_c), EXPECTED[role], strict=True):
        assert client.get(summary_url(child)).status_code == expected, (role, child)
        assert client.get(reverse("child_summary_pdf", args=[child.pk])).status_code == expected, (role, child)
    assert client.get(summary_url(cast.other_child)).status_code == 404


def test_anonymous_users_are_sent_to_log_in(cast, client):
    response = client.get(summary_url(cast.child_a))
    assert response.status_code == 302 and "/inloggen/" in response["Location"]


def test_only_the_logged_in_views_are_written_to_the_access_log(cast, client_for):
    client_for(cast.staff_b).get(summary_url(cast.child_a))  # 404: not logged
    client_for(cast.coach).get(summary_url(cast.child_a, 8))
    row = AccessLog.objects.get()
    assert (row.user, row.child, row.organisation, row.action, row.weeks) == (
        cast.coach,
        cast.child_a,
        cast.org,
        AccessLog.Action.VIEW,
        8,
    )
    assert row.period_start.weekday() == 0 and (row.period_end - row.period_start).days == 8 * 7 - 1


def test_the_page_names_the_recurring_attention_point_and_what_it_is_based_on(cast, client_for):
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    response = client_for(cast.coach).get(summary_url(cast.child_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert "terugkerend aandachtspunt" in html
    assert "geen diagnose" in html
    assert "6 waarnemingen" in html and "2 verschillende" in html
    assert "Zocht geen troost na het vallen bij de glijbaan." in html


def test_the_meldcode_of_the_organisation_is_shown(cast, client_for):
    cast.org.meldcode_url = "https://intranet.example.org/meldcode"
    cast.org.meldcode_text = "Bel de aandachtsfunctionaris: 012-3456789."
    cast.org.save()
    html = client_for(cast.staff_a).get(summary_url(cast.child_a)).content.decode()
    assert "https://intranet.example.org/meldcode" in html
    assert "Bel de aandachtsfunctionaris: 012-3456789." in html


def test_notes_are_escaped(cast, client_for):
    observe(cast.child_a, cast.staff_a, weeks_ago(1), {"reunion": 2}, notes={"reunion": "<script>alert(1)</script>"})
    html = client_for(cast.coach).get(summary_url(cast.child_a)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("raw", ["abc", "3", "53", "-1", "12.5"])
def test_bad_weeks_fall_back_to_12_with_a_dutch_notice(cast, client_for, raw):
    response = client_for(cast.coach).get(summary_url(cast.child_a, raw))
    assert response.status_code == 200
    assert response.context["summary"].weeks == 12
    assert "Het aantal weken moet een heel getal van 4 tot en met 52 zijn" in response.content.decode()


@pytest.mark.parametrize(("raw", "weeks"), [(None, 12), ("", 12), ("4", 4), ("52", 52), (" 26 ", 26)])
def test_good_weeks(raw, weeks):
    assert parse_weeks(raw) == (weeks, None)


def _page_queries(client, child):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(summary_url(child, 52)).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_observations(cast, client_for):
    client = client_for(cast.coach)
    observers = [cast.staff_a, cast.manager, cast.coach]
    many_observations(cast.child_a, observers, 10)
    many_observations(cast.child_b, observers, 500)
    _page_queries(client, cast.child_a)  # warm the session
    few, many = _page_queries(client, cast.child_a), _page_queries(client, cast.child_b)
    assert few == many
    assert few <= 12


def test_summary_data_has_fixed_queries(cast, django_assert_num_queries):
    many_observations(cast.child_a, [cast.staff_a, cast.manager], 50)
    # issue 11: and the date of the last parent conversation; issue 20: and the rating pairs behind a pattern
    with django_assert_num_queries(7):
        summary = child_summary(cast.child_a, 12)
    assert len(summary.pillars) == 8
    assert all(len(p.strip) == 12 for p in summary.pillars)


def test_the_pillars_are_never_added_up(cast, client_for):
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    html = client_for(cast.coach).get(summary_url(cast.child_a)).content.decode().lower()
    for word in ("score", "totaal", "grenswaarde", "afkappunt"):
        # only in the sentence that says the pillars are never added up
        assert html.count(word) <= 1, word
    assert "nooit bij elkaar opgeteld" in html


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_attachment_style_or_disorder_is_named(cast, client_for, language):
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    client = client_for(cast.coach)
    client.cookies["django_language"] = language
    html = client.get(summary_url(cast.child_a), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert not FORBIDDEN.findall(html)


def test_summary_patterns(cast):
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    summary = child_summary(cast.child_a, 12)
    kinds = {p.pillar.code: p.pattern.kind for p in summary.pillars}
    assert kinds["comfort_seeking"] == PatternKind.RECURRING
    assert kinds["reunion"] == PatternKind.TYPICAL
    assert kinds["strangers"] == PatternKind.NOT_ENOUGH
    assert [p.pillar.code for p in summary.recurring] == ["comfort_seeking"]
    assert summary.group == cast.group_a and summary.mentor == cast.staff_a


def test_the_access_log_is_read_only_and_scoped_in_the_admin(cast, client_for):
    client_for(cast.coach).get(summary_url(cast.child_a))
    row = AccessLog.objects.get()
    changelist = reverse("admin:access_log_accesslog_changelist")
    admin = client_for(cast.admin)
    response = admin.get(changelist)
    assert response.status_code == 200 and "Sem Testmans" in response.content.decode()
    assert admin.get(reverse("admin:access_log_accesslog_add")).status_code == 403
    detail = admin.get(reverse("admin:access_log_accesslog_change", args=[row.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    other = client_for(cast.other_admin)
    assert "Sem Testmans" not in other.get(changelist).content.decode()
    assert other.get(reverse("admin:access_log_accesslog_change", args=[row.pk])).status_code in (302, 404)
    assert client_for(cast.coach).get(changelist).status_code in (302, 403)
