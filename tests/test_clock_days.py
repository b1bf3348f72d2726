"""The date rules under a frozen clock, on the days that break date code (issue 17).

Each test runs with the clock stopped (time-machine, tick=False) at a moment in Europe/Amsterdam:

- 2026-12-31 00:30: the last day of a 53-week ISO year (2026-W53); 23:30 UTC on the 30th.
- 2027-01-04 00:30: the Monday after, 2027-W01; in UTC still Sunday 3 January, 2026-W53.
- 2027-03-01 00:30: the first of a month after a 28-day February; in UTC still 28 February.
- 2027-03-28 03:30 CEST (01:30 UTC): the clocks go forward from 02:00 to 03:00, so 02:30 does not
  exist that day. "02:30" is represented by the moment an hour after 01:30 CET: 01:30 UTC, which
  the clocks show as 03:30 summer time.
- 2027-10-31 02:30, twice: the clocks go back from 03:00 to 02:00, so 02:30 happens twice: 00:30 UTC
  (02:30 CEST, the first) and 01:30 UTC (02:30 CET, the second).
- 2028-02-29 00:30: a leap day; in UTC still the 28th.
- 2028-03-01 00:30: the first of a month after a leap day.

Rules about dates (what "today", "this week", "N days ago" are) run on each day once; rules about
moments (a window of hours or days after a save or a login) also run at both 02:30s of 31 October.
Expected values come from the frozen moment by plain datetime/isocalendar arithmetic here, never
from the code under test and never from today's real calendar. Everything goes through the real
stack: the Django test client, the services, PostgreSQL and its rollup triggers.
"""

import calendar
import csv
import datetime
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation
from pypdf import PdfReader

from batch_export import services
from batch_export.models import BatchExport
from children.models import Child, Placement
from conversations.models import Conversation
from observations.models import Observation, PillarWeek
from organisations.calendar import months_cutoff
from reports.figures import weekly_figures
from tests import factories as f
from tests.conftest import Cast, build_cast
from tests.factories import PASSWORD
from tests.observation_factories import entry_data
from tests.report_data import observe
from tests.rollup_check import assert_rollup_exact, stored_rollup

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
UTC = datetime.UTC
DUTCH_MONTHS = [
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
]  # fmt: skip


@dataclass(frozen=True)
class Day:
    id: str
    moment: datetime.datetime  # aware
    iso_week: tuple[int, int]  # (ISO year, ISO week) of the local day, written out by hand

    @property
    def local(self) -> datetime.datetime:
        return self.moment.astimezone(AMSTERDAM)

    @property
    def date(self) -> datetime.date:
        """The day on the clocks in Amsterdam: the app's "today"."""
        return self.local.date()


DAYS = (
    Day("2026-12-31_W53", datetime.datetime(2026, 12, 31, 0, 30, tzinfo=AMSTERDAM), (2026, 53)),
    Day("2027-01-04_W01", datetime.datetime(2027, 1, 4, 0, 30, tzinfo=AMSTERDAM), (2027, 1)),
    Day("2027-03-01_first_of_month", datetime.datetime(2027, 3, 1, 0, 30, tzinfo=AMSTERDAM), (2027, 9)),
    Day("2027-03-28_clocks_forward_0330CEST", datetime.datetime(2027, 3, 28, 1, 30, tzinfo=UTC), (2027, 12)),
    Day("2027-10-31_clocks_back_0230CEST", datetime.datetime(2027, 10, 31, 0, 30, tzinfo=UTC), (2027, 43)),
    Day("2027-10-31_clocks_back_0230CET", datetime.datetime(2027, 10, 31, 1, 30, tzinfo=UTC), (2027, 43)),
    Day("2028-02-29_leap_day", datetime.datetime(2028, 2, 29, 0, 30, tzinfo=AMSTERDAM), (2028, 9)),
    Day("2028-03-01_after_leap_day", datetime.datetime(2028, 3, 1, 0, 30, tzinfo=AMSTERDAM), (2028, 9)),
)
# The second 02:30 of 31 October has the date of the first: date rules run on one of them.
DATE_DAYS = tuple(d for d in DAYS if d.id != "2027-10-31_clocks_back_0230CET")

on_each_date = pytest.mark.parametrize("clock", DATE_DAYS, ids=[d.id for d in DATE_DAYS], indirect=True)
at_each_moment = pytest.mark.parametrize("clock", DAYS, ids=[d.id for d in DAYS], indirect=True)

pytestmark = pytest.mark.django_db


@dataclass
class Clock:
    day: Day
    traveller: time_machine.Traveller

    def at(self, moment: datetime.datetime) -> None:
        """Stop the clock at another moment (still stopped)."""
        self.traveller.move_to(moment.astimezone(UTC))


@pytest.fixture
def clock(request) -> Iterator[Clock]:
    day: Day = request.param
    # given in UTC: time-machine leaves the process's time zone as Django set it (TIME_ZONE)
    with time_machine.travel(day.moment.astimezone(UTC), tick=False) as traveller:
        yield Clock(day, traveller)


@pytest.fixture
def cast(clock, db) -> Cast:
    """The usual cast, made on the frozen day (children born 700 days and placed 365 days before it)."""
    return build_cast()


# --- plain arithmetic and formatting for the expectations ----------------------------------------------


def monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def iso(day: datetime.date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def week_mondays(day: datetime.date, weeks: int) -> list[datetime.date]:
    """The Mondays of the `weeks` ISO weeks ending with the week of `day`, oldest first."""
    return [monday(day) - datetime.timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def same_day_months_later(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months on; the month's last day when it has no such day."""
    year, month = day.year + (day.month - 1 + months) // 12, (day.month - 1 + months) % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def nl_date(day: datetime.date | datetime.datetime) -> str:
    """A day as Dutch pages write it ("4 december 2026"), spelt out here, not by Django's formats."""
    return f"{day.day} {DUTCH_MONTHS[day.month - 1]} {day.year}"


def nl_moment(moment: datetime.datetime) -> str:
    """A moment as the pages write it: on the clocks of Amsterdam, in Django's Dutch date-time format."""
    with translation.override("nl"):
        return formats.date_format(moment.astimezone(AMSTERDAM), "DATETIME_FORMAT")


def numeric(day: datetime.date) -> str:
    return f"{day.day:02d}-{day.month:02d}-{day.year}"


def month_period(start: datetime.date, end: datetime.date) -> str:
    """A period in Dutch months, as parents read it: "oktober tot en met december 2026"."""
    last = f"{DUTCH_MONTHS[end.month - 1]} {end.year}"
    if (start.year, start.month) == (end.year, end.month):
        return last
    first = DUTCH_MONTHS[start.month - 1] + (f" {start.year}" if start.year != end.year else "")
    return f"{first} tot en met {last}"


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(response.content.decode().split())


def second_staff(cast: Cast, name: str = "Bo"):
    user = f.make_user(f"{name.lower()}@example.test", first_name=name)
    f.add_membership(user, f.ROLES.STAFF, group=cast.group_a)
    return user


def test_the_days_are_what_the_docstring_says():
    for day in DAYS:
        assert iso(day.date) == day.iso_week, day.id
    by_id = {day.id: day for day in DAYS}
    # the 00:30 days are another date in UTC
    for name in ("2026-12-31_W53", "2027-01-04_W01", "2027-03-01_first_of_month", "2028-02-29_leap_day"):
        day = by_id[name]
        assert day.moment.astimezone(UTC).date() == day.date - datetime.timedelta(days=1), name
    assert iso(by_id["2027-01-04_W01"].moment.astimezone(UTC).date()) == (2026, 53)
    forward = by_id["2027-03-28_clocks_forward_0330CEST"].local
    assert (forward.hour, forward.minute, forward.utcoffset()) == (3, 30, datetime.timedelta(hours=2))
    # 02:30 that day, as Python reads a time the clocks skip (fold=0: the offset from before the change)
    assert datetime.datetime(2027, 3, 28, 2, 30, tzinfo=AMSTERDAM).astimezone(UTC) == forward.astimezone(UTC)
    first, second = by_id["2027-10-31_clocks_back_0230CEST"].local, by_id["2027-10-31_clocks_back_0230CET"].local
    assert (first.hour, first.minute) == (second.hour, second.minute) == (2, 30)
    assert (first.utcoffset(), second.utcoffset()) == (datetime.timedelta(hours=2), datetime.timedelta(hours=1))


def test_the_months_cutoff_is_where_the_months_run_out():
    """For every day of 2026 to 2028 and 1, 3 or 12 months: a day before the cutoff, moved on by the months
    (the last of the month when it has no such day), falls before that day; the cutoff itself does not."""
    on = datetime.date(2026, 1, 1)
    while on.year < 2029:
        for months in (1, 3, 12):
            cutoff = months_cutoff(on, months)
            assert same_day_months_later(cutoff - datetime.timedelta(days=1), months) < on, (on, months)
            assert same_day_months_later(cutoff, months) >= on, (on, months)
        on += datetime.timedelta(days=1)
    assert months_cutoff(datetime.date(2028, 2, 29), 12) == datetime.date(2027, 3, 1)
    assert months_cutoff(datetime.date(2026, 12, 31), 3) == datetime.date(2026, 10, 1)


# --- weekly figures and the rollup's ISO week keys ----------------------------------------------------


@on_each_date
def test_an_entry_of_today_lands_in_the_iso_week_of_the_local_day(clock, cast, client_for):
    day = clock.day
    response = client_for(cast.staff_a).post(
        reverse("observation_new", args=[cast.child_a.pk]), entry_data(cast.child_a, date=day.date.isoformat())
    )
    assert response.status_code == 302  # today on the clocks of Amsterdam is not "in the future"
    row = PillarWeek.objects.get(child=cast.child_a)
    assert row.week == monday(day.date)
    assert iso(row.week) == iso(row.week + datetime.timedelta(days=6)) == day.iso_week
    assert_rollup_exact()
    before = stored_rollup()
    call_command("rebuild_pillar_weeks", stdout=io.StringIO())
    assert stored_rollup() == before


def weekly_entries(cast: Cast, day: datetime.date, weeks: int = 12) -> list[datetime.date]:
    """One rating a week on seeking comfort, on the frozen day's weekday, for `weeks` weeks back, plus one
    on the Sunday before the window (it must stay out of it). The dates, newest first."""
    dates = [day - datetime.timedelta(weeks=back) for back in range(weeks)]
    outside = week_mondays(day, weeks)[0] - datetime.timedelta(days=1)
    observers = [cast.staff_a, second_staff(cast)]
    for number, date in enumerate([*dates, outside]):
        observe(cast.child_a, observers[number % 2], date, {"comfort_seeking": 0})
    return dates


@on_each_date
def test_a_twelve_week_window_holds_twelve_distinct_iso_weeks(clock, cast, client_for):
    day = clock.day
    weekly_entries(cast, day.date)
    mondays = week_mondays(day.date, 12)
    expected = [iso(m) for m in mondays]
    assert len(set(expected)) == 12
    if mondays[0] <= datetime.date(2026, 12, 28) <= mondays[-1]:  # the window spans the year end
        assert (2026, 53) in expected
    figures = weekly_figures(cast.child_a, 12)
    assert [(w.year, w.number) for w in figures.weeks] == expected
    assert [w.ratings for w in figures.pillar("comfort_seeking").weeks] == [1] * 12
    assert PillarWeek.objects.filter(child=cast.child_a).count() == 13  # the Sunday before is a week of its own
    assert_rollup_exact()
    before = stored_rollup()
    call_command("rebuild_pillar_weeks", stdout=io.StringIO())
    assert stored_rollup() == before

    page = html(client_for(cast.coach).get(reverse("child_summary", args=[cast.child_a.pk]) + "?weken=12"))
    start, end = mondays[0], mondays[-1] + datetime.timedelta(days=6)
    assert (
        f"Laatste 12 weken: week {expected[0][1]} tot en met week {expected[-1][1]} "
        f"({nl_date(start)} – {nl_date(end)})" in page
    )
    for _, number in expected:  # the week strip of seeking comfort, a week at a time
        assert f"Week {number}: 1 beoordeling: 1 passend, 0 zoekt geen troost, 0 zoekt en duwt weg" in page, number


# --- patterns and their evidence windows ---------------------------------------------------------------


def four_weeks_of_evidence(cast: Cast, day: datetime.date) -> tuple[list[datetime.date], datetime.date]:
    """Seeking comfort "too little, clear" in each of the 4 weeks ending with the week of `day`, by two
    observers in turn (today, a week ago, two weeks ago and the window's first Monday), and once more on
    the Sunday just before that Monday. Returns the dates in the window (newest first) and the one outside."""
    first = week_mondays(day, 4)[0]
    inside = [day, day - datetime.timedelta(weeks=1), day - datetime.timedelta(weeks=2), first]
    outside = first - datetime.timedelta(days=1)
    observers = [cast.staff_a, second_staff(cast)]
    for number, date in enumerate(inside):
        note = {"comfort_seeking": f"Binnen {date}"}
        observe(cast.child_a, observers[number % 2], date, {"comfort_seeking": -2}, notes=note)
    observe(cast.child_a, cast.staff_a, outside, {"comfort_seeking": -2}, notes={"comfort_seeking": "Buiten"})
    return inside, outside


@on_each_date
def test_a_pattern_reads_the_weeks_of_its_window_and_nothing_before(clock, cast, client_for):
    day = clock.day
    inside, outside = four_weeks_of_evidence(cast, day.date)
    client = client_for(cast.coach)
    url = reverse("child_summary", args=[cast.child_a.pk])

    four = html(client.get(url + "?weken=4"))
    assert "Beoordeeld in 4 weken van de periode." in four
    assert "Opvallend in 4 van de 4 beoordeelde weken." in four
    assert "terugkerend aandachtspunt" in four
    first, last = nl_date(inside[-1]), nl_date(day.date)
    assert f"4 waarnemingen, door 2 verschillende medewerkers, van {first} tot en met {last}" in four
    for date in inside:
        assert f"Binnen {date}" in four
    assert "Buiten" not in four

    twelve = html(client.get(url + "?weken=12"))
    assert "Beoordeeld in 5 weken van de periode." in twelve  # the Sunday before is a week of its own
    assert f"van {nl_date(outside)} tot en met {nl_date(day.date)}" in twelve and "Buiten" in twelve
    figures = client_for(cast.manager).get(reverse("location_detail", args=[cast.location1.pk])).context["figures"]
    assert next(g for g in figures.groups if g.group == cast.group_a).with_attention_point == 1


# --- the summary PDF and the parent handout -------------------------------------------------------------


@on_each_date
def test_both_pdfs_name_the_period_and_the_day_they_were_made(clock, cast, client_for):
    day = clock.day
    inside, outside = four_weeks_of_evidence(cast, day.date)
    mondays = week_mondays(day.date, 12)
    client = client_for(cast.coach)

    response = client.get(reverse("child_summary_pdf", args=[cast.child_a.pk]) + "?weken=12")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="overzicht-Sem-{day.date.isoformat()}.pdf"'
    text = pdf_text(response.content)
    period = (
        f"week {iso(mondays[0])[1]} tot en met week {iso(mondays[-1])[1]} "
        f"({nl_date(mondays[0])} – {nl_date(mondays[-1] + datetime.timedelta(days=6))})"
    )
    assert period in text
    assert f"{nl_date(day.date)} door Coen" in text
    assert f"van {nl_date(outside)} tot en met {nl_date(day.date)}" in text

    response = client.get(reverse("child_parent_handout_pdf", args=[cast.child_a.pk]) + "?weken=12")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="oudergesprek-Sem-{day.date.isoformat()}.pdf"'
    text = pdf_text(response.content)
    # up to the day it was made: never a month that has not begun (the week may end in one)
    assert f"Periode: {month_period(mondays[0], day.date)}" in text
    assert f"Gemaakt op: {nl_date(day.date)}" in text


# --- the group overview's weeks -------------------------------------------------------------------------


@on_each_date
def test_the_group_overview_shows_the_weeks_ending_with_this_one(clock, cast, client_for):
    day = clock.day
    weekly_entries(cast, day.date)
    client = client_for(cast.manager)
    url = reverse("group_overview", args=[cast.group_a.pk])
    for weeks in (12, 52):
        mondays = week_mondays(day.date, weeks)
        response = client.get(f"{url}?weken={weeks}")
        page = html(response)
        start, end = mondays[0], mondays[-1] + datetime.timedelta(days=6)
        assert (
            f"Laatste {weeks} weken: week {iso(start)[1]} tot en met week {iso(end)[1]} "
            f"({nl_date(start)} – {nl_date(end)})" in page
        )
        assert [(w.year, w.number) for w in response.context["overview"].window] == [iso(m) for m in mondays]
        rated = 12 if weeks == 12 else 13  # a rating a week for 12 weeks, and the Sunday before them
        assert f"beoordeeld in {rated} van {weeks} weken" in page
    response = client.get(reverse("group_overview_csv", args=[cast.group_a.pk]) + "?weken=12")
    assert f"-{day.date.isoformat()}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    mondays = week_mondays(day.date, 12)
    assert {tuple(row[-2:]) for row in rows[1:]} == {
        (numeric(mondays[0]), numeric(mondays[-1] + datetime.timedelta(days=6)))
    }


# --- "not observed for N days" ---------------------------------------------------------------------------


@on_each_date
def test_not_observed_counts_calendar_days_across_clock_changes_and_month_ends(clock, cast, client_for):
    day = clock.day
    two_weeks_ago = day.date - datetime.timedelta(days=14)  # across 28 March / 31 October: not 14 × 24 hours
    thirteen_days_ago = day.date - datetime.timedelta(days=13)
    zoe, wim = f.make_child(cast.group_a, "Zoë"), f.make_child(cast.group_a, "Wim")
    f.make_child(cast.group_a, "Bo")  # never observed
    observe(cast.child_a, cast.staff_a, two_weeks_ago, {"comfort_seeking": 0})
    observe(zoe, cast.staff_a, thirteen_days_ago, {"comfort_seeking": 0})
    this_monday = monday(day.date)
    observe(wim, cast.staff_a, this_monday, {"comfort_seeking": 0})  # this week
    observe(wim, cast.staff_a, this_monday - datetime.timedelta(days=1), {"comfort_seeking": 0})  # last week

    pages = [
        reverse("group_detail", args=[cast.group_a.pk]),
        reverse("mentor_children"),
    ]
    for url in pages:
        page = html(client_for(cast.staff_a).get(url))
        assert "14 dagen niet waargenomen" in page, url
        assert f"laatst waargenomen {nl_date(two_weeks_ago)}" in page, url
    day_view = html(client_for(cast.staff_a).get(pages[0]))
    assert f"laatst waargenomen {nl_date(thirteen_days_ago)}" in day_view
    assert "13 dagen niet waargenomen" not in day_view and "nog nooit waargenomen" in day_view
    assert day_view.count("1 waarneming deze week") == 1  # Wim: Monday counts, the Sunday before does not
    overview = html(client_for(cast.manager).get(reverse("group_overview", args=[cast.group_a.pk])))
    assert "14 dagen niet waargenomen" in overview and "13 dagen" not in overview
    assert "2 kinderen 14 dagen of langer niet waargenomen." in overview  # Sem and Bo
    figures = client_for(cast.manager).get(reverse("location_detail", args=[cast.location1.pk])).context["figures"]
    group_a = next(g for g in figures.groups if g.group == cast.group_a)
    assert (group_a.children_today, group_a.observed_recently) == (4, 2)  # Zoë and Wim


# --- parent conversations: before and after, what is due -------------------------------------------------


def conversation_form(date: datetime.date, next_date: datetime.date | None = None, agreements=()) -> dict:
    """The conversation form's POST: `agreements` as (text, look-back date) pairs."""
    data = {
        "submission_key": str(uuid.uuid4()),
        "date": date.isoformat(),
        "participants": "moeder, mentor",
        "parents_context": "",
        "next_date": next_date.isoformat() if next_date else "",
        "afspraak-TOTAL_FORMS": str(len(agreements)),
        "afspraak-INITIAL_FORMS": "0",
        "afspraak-MIN_NUM_FORMS": "0",
        "afspraak-MAX_NUM_FORMS": "10",
    }
    for number, (text, follow_up) in enumerate(agreements):
        data[f"afspraak-{number}-text"] = text
        data[f"afspraak-{number}-who"] = "mentor"
        data[f"afspraak-{number}-follow_up"] = follow_up.isoformat()
    return data


def record_conversation(client: Client, child: Child, **form) -> None:
    response = client.post(reverse("conversation_new", args=[child.pk]), conversation_form(**form))
    assert response.status_code == 302, response.content.decode()[:2000]


@on_each_date
def test_before_and_after_the_last_conversation_and_what_is_due(clock, cast, client_for):
    day = clock.day
    this_monday = monday(day.date)
    client = client_for(cast.coach)
    # Sem: on the Sunday four weeks before this week's Monday: four full weeks since, to compare
    talked = this_monday - datetime.timedelta(days=22)
    record_conversation(
        client,
        cast.child_a,
        date=talked,
        next_date=day.date + datetime.timedelta(days=14),
        agreements=[
            ("Terugkijken sinds gisteren", day.date - datetime.timedelta(days=1)),
            ("Terugkijken vanaf vandaag", day.date),
        ],
    )
    # Tess: on the Monday three weeks back: three weeks since, too soon
    record_conversation(client, cast.child_b, date=this_monday - datetime.timedelta(weeks=3))
    # Daan: today (on the clocks of Amsterdam, not yet in UTC), the next one in 15 days
    record_conversation(client, cast.child_c, date=day.date, next_date=day.date + datetime.timedelta(days=15))
    assert Conversation.objects.count() == 3

    page = html(client.get(reverse("child_summary", args=[cast.child_a.pk])))
    talked_monday = monday(talked)
    before = (talked_monday - datetime.timedelta(weeks=4), talked_monday - datetime.timedelta(days=1))
    since = (talked_monday + datetime.timedelta(weeks=1), this_monday + datetime.timedelta(days=6))
    assert f"Het laatste oudergesprek was op {nl_date(talked)}." in page
    assert f'Voor<br><span class="period">{nl_date(before[0])} – {nl_date(before[1])}</span>' in page
    assert f'Sinds<br><span class="period">{nl_date(since[0])} – {nl_date(since[1])}</span>' in page
    too_soon = html(client.get(reverse("child_summary", args=[cast.child_b.pk])))
    tess_talked = nl_date(this_monday - datetime.timedelta(weeks=3))
    assert f"Het laatste oudergesprek was op {tess_talked}: te kort geleden om te vergelijken." in too_soon

    home = html(client.get(reverse("home")))
    coming = home[home.index("Gesprekken die eraan komen") : home.index("Afspraken om op terug te kijken")]
    assert f"Sem Testmans</a> · gepland op {nl_date(day.date + datetime.timedelta(days=14))}" in coming
    assert "Daan" not in coming  # 15 days ahead: not yet
    looking_back = home[home.index("Afspraken om op terug te kijken") :]
    assert "Terugkijken sinds gisteren" in looking_back and "Terugkijken vanaf vandaag" not in looking_back
    assert f"terugkijken op {nl_date(day.date - datetime.timedelta(days=1))}" in looking_back


@on_each_date
def test_the_yearly_conversation_is_missing_after_twelve_calendar_months(clock, cast, client_for):
    day = clock.day
    # the first day whose date twelve months on is today or later: the oldest conversation that still counts
    still_counts = day.date - datetime.timedelta(days=370)
    while same_day_months_later(still_counts, 12) < day.date:
        still_counts += datetime.timedelta(days=1)
    mila = f.make_child(cast.group_a, "Mila", mentor=cast.staff_a)
    client = client_for(cast.staff_a)
    record_conversation(client, cast.child_a, date=still_counts)
    record_conversation(client, mila, date=still_counts - datetime.timedelta(days=1))
    page = client.get(reverse("mentor_children")).content.decode()
    rows = {name: row for row in page.split('<li class="list-group-item') for name in ("Sem", "Mila") if name in row}
    assert "geen oudergesprek in de laatste 12 maanden" not in rows["Sem"]
    assert "geen oudergesprek in de laatste 12 maanden" in rows["Mila"]


# --- the edit window of an entry and a conversation --------------------------------------------------


@at_each_moment
def test_an_entry_and_a_conversation_can_be_changed_for_seven_times_24_hours(clock, cast, client):
    """OBSERVATION_EDIT_DAYS (7) are elapsed time: 168 hours, whatever the clocks do in between. Saved
    at 02:30 CET on 21 March 2027, an entry can be changed until 03:30 CEST on 28 March (the clocks
    skipped 02:00-03:00); saved at 02:30 CEST on 24 October, until the first 02:30 of 31 October."""
    moment = clock.day.moment
    saved = moment - datetime.timedelta(days=7)
    clock.at(saved)
    client.force_login(cast.staff_a)
    saved_day = saved.astimezone(AMSTERDAM).date()
    response = client.post(
        reverse("observation_new", args=[cast.child_a.pk]), entry_data(cast.child_a, date=saved_day.isoformat())
    )
    assert response.status_code == 302
    entry = Observation.objects.get()
    coach = Client()
    coach.force_login(cast.coach)
    record_conversation(coach, cast.child_a, date=saved_day)
    conversation = Conversation.objects.get()

    edit = reverse("observation_edit", args=[entry.pk])
    edit_conversation = reverse("conversation_edit", args=[conversation.pk])
    clock.at(moment)  # the last moment of the window
    client.force_login(cast.staff_a)
    coach.force_login(cast.coach)
    assert client.get(edit).status_code == 200
    assert edit in html(client.get(reverse("observation_detail", args=[entry.pk])))
    assert coach.get(edit_conversation).status_code == 200

    clock.at(moment + datetime.timedelta(seconds=1))
    response = client.get(edit, follow=True)
    assert response.redirect_chain == [(reverse("observation_detail", args=[entry.pk]), 302)]
    assert "alleen door de waarnemer gewijzigd of verwijderd worden, binnen 7 dagen" in html(response)
    assert coach.get(edit_conversation).status_code == 302


# --- retention --------------------------------------------------------------------------------------


@on_each_date
@pytest.mark.parametrize("months", [3, 12], ids=["3_months", "12_months"])
def test_retention_names_who_left_more_than_the_period_ago(clock, cast, settings, months):
    """On 29 February 2028, with 12 months: who left on 28 February 2027 has had their year (it ended on
    28 February 2028) and is removed; who left on 1 March 2027 is kept through 1 March 2028."""
    day = clock.day
    settings.RETENTION_MONTHS_AFTER_LEAVING = months
    # the first leaving day whose date `months` months on is today or later: still kept
    first_kept = day.date - datetime.timedelta(days=31 * months + 5)
    while same_day_months_later(first_kept, months) < day.date:
        first_kept += datetime.timedelta(days=1)
    left = {first_kept + datetime.timedelta(days=shift): None for shift in range(-3, 3)}
    for number, left_on in enumerate(left):
        child = f.make_child(cast.group_b, f"Weg{number}", placed_from=left_on - datetime.timedelta(days=100))
        Placement.objects.filter(child=child).update(end_date=left_on)
        left[left_on] = child

    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    named = {left_on for left_on, child in left.items() if f"#{child.pk} {child.full_name} " in out.getvalue()}
    assert named == {left_on for left_on in left if left_on < first_kept}, out.getvalue()
    for left_on in named:
        assert f"(left {numeric(left_on)})" in out.getvalue()
    assert f"{len(named)} record(s) due" in out.getvalue()  # nobody else: the others are still placed


# --- batch export expiry -----------------------------------------------------------------------------


@at_each_moment
def test_a_batch_export_is_offered_for_24_hours(clock, cast, client, settings, tmp_path):
    """EXPORT_KEEP_HOURS (24) are elapsed time: asked at 02:30 CET on Saturday 27 March 2027, the zip
    goes at 03:30 CEST on Sunday, 24 hours later, when the clocks show 25 hours more."""
    # a storage of its own: the daily command's count is not disturbed by PDFs other tests kept
    settings.EXPORTS_STORAGE = {**settings.EXPORTS_STORAGE, "OPTIONS": {"location": str(tmp_path)}}
    moment = clock.day.moment
    asked = moment - datetime.timedelta(hours=24)
    clock.at(asked)
    client.force_login(cast.manager)
    assert client.post(reverse("group_export", args=[cast.group_a.pk]), {"weken": "12"}).status_code == 302
    export = BatchExport.objects.get()
    services.run_batch_export(str(export.pk))  # the task's body, in this process (and on its frozen clock)
    export.refresh_from_db()
    assert export.status == BatchExport.Status.DONE and export.expires_at == moment
    assert f"-{asked.astimezone(AMSTERDAM).date().isoformat()}-" in export.file.name  # the day it was asked for
    progress_url = reverse("export_progress", args=[export.pk])

    clock.at(moment - datetime.timedelta(seconds=1))
    client.force_login(cast.manager)
    progress = client.get(progress_url).json()
    assert progress["status"] == "done" and progress["expires_at"] == nl_moment(moment)
    out = io.StringIO()
    call_command("remove_expired_exports", stdout=out)
    assert out.getvalue() == "0 expired export(s) removed.\n"

    clock.at(moment)
    out = io.StringIO()
    call_command("remove_expired_exports", stdout=out)
    assert out.getvalue() == "1 expired export(s) removed.\n"
    assert not export.file.storage.exists(export.file.name)
    assert client.get(progress_url).json()["status"] == "expired"
    assert client.get(reverse("export_download", args=[export.pk])).status_code == 410


# --- sessions ----------------------------------------------------------------------------------------


def log_in(client: Client, email: str) -> None:
    assert client.post(reverse("login"), {"username": email, "password": PASSWORD}).status_code == 302


def sent_to_login(client: Client, message: str) -> bool:
    response = client.get(reverse("home"), follow=True)
    return response.redirect_chain[0][0].startswith(reverse("login")) and message in html(response)


@at_each_moment
def test_a_session_ends_30_minutes_after_the_last_request(clock, cast):
    """SESSION_IDLE_MINUTES (30) are elapsed time: at 03:30 CEST on 28 March 2027 a login of 02:00 CET
    (the clocks' 03:00 CEST) is 30 minutes old, though the clocks moved 90 minutes; a second earlier, too old."""
    moment = clock.day.moment
    idle, on_time = Client(), Client()
    clock.at(moment - datetime.timedelta(minutes=30, seconds=1))
    log_in(idle, cast.staff_a.email)
    clock.at(moment - datetime.timedelta(minutes=30))
    log_in(on_time, cast.staff_a.email)
    clock.at(moment)
    assert on_time.get(reverse("home")).status_code == 200  # 30 minutes to the second
    assert sent_to_login(idle, "Je was een tijd niet actief; log opnieuw in.")


@at_each_moment
def test_a_session_ends_12_hours_after_the_login(clock, cast):
    """SESSION_MAX_HOURS (12) are elapsed time: a login at 14:30 CET on 27 March 2027 ends at 03:30 CEST
    on the 28th (13 hours on the clocks); one at 15:30 CEST on 30 October ends at the second 02:30 of the
    31st (11 on the clocks)."""
    moment = clock.day.moment
    client = Client()
    busy = moment - datetime.timedelta(hours=12)
    clock.at(busy)
    log_in(client, cast.staff_a.email)
    while busy < moment - datetime.timedelta(minutes=25):  # a request every 25 minutes: never idle
        busy += datetime.timedelta(minutes=25)
        clock.at(busy)
        assert client.get(reverse("connection_check")).status_code == 204
    clock.at(moment)
    assert client.get(reverse("home")).status_code == 200  # 12 hours to the second
    clock.at(moment + datetime.timedelta(seconds=1))
    assert sent_to_login(client, "Je sessie was langer dan 12 uur open; log opnieuw in.")


# --- the group tablet --------------------------------------------------------------------------------


@at_each_moment
def test_a_tablet_locks_after_idle_minutes_and_a_pin_rests_30_days_after_the_password(clock, cast, settings):
    """TABLET_IDLE_MINUTES (5, plus a minute's grace at the server) and TABLET_PASSWORD_DAYS (30) are
    elapsed time. A PIN set at 02:30 CET on 26 February 2027 works until 03:30 CEST on 28 March."""
    settings.TABLET_IDLE_MINUTES = 5
    moment = clock.day.moment
    confirmed = moment - datetime.timedelta(days=30)
    staff = Client()
    clock.at(confirmed)
    staff.force_login(cast.staff_a)
    pin_page = reverse("pin_settings")
    response = staff.post(pin_page, {"password": PASSWORD, "pin": "2580", "pin_again": "2580"}, follow=True)
    assert f"Je pincode werkt tot {nl_date(moment.astimezone(AMSTERDAM))}." in html(response)

    tablet = Client()
    clock.at(moment - datetime.timedelta(hours=1))
    tablet.force_login(cast.manager)
    assert tablet.post(reverse("tablet_register"), {"group": cast.group_a.pk, "name": "Tablet"}).status_code == 302
    unlock = reverse("tablet_unlock", args=[cast.staff_a.pk])
    group_page = reverse("group_detail", args=[cast.group_a.pk])

    clock.at(moment)  # the PIN's last second
    assert tablet.post(unlock, {"pin": "2580"})["Location"] == group_page
    clock.at(moment + datetime.timedelta(minutes=6))  # idle for 5 minutes and the grace minute
    assert tablet.get(group_page).status_code == 200
    clock.at(moment + datetime.timedelta(minutes=12, seconds=1))
    locked = tablet.get(group_page)
    assert locked.status_code == 302 and locked["Location"].startswith(reverse("tablet_home"))
    page = html(tablet.post(unlock, {"pin": "2580"}))
    assert "Je hebt je wachtwoord 30 dagen niet gebruikt." in page
    assert "_auth_user_id" not in tablet.session
