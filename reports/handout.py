"""The parent handout: what staff saw, in plain and warm words, for the conversation with the parents.

It comes from the same computation as the team summary (weekly figures -> pillar patterns
-> `child_summary`). `parent_handout(summary)` adds what only the handout needs, in one
query: the notes of the window (moments that go well, examples of what stood out) and the
months in which each pillar's atypical ratings fell. `render_parent_handout_pdf` is a pure
renderer: handout in, a Download (filename, content type, bytes) out.

What parents read is built from the pattern of each pillar, never from a count: a recurring
attention point becomes "often", a mixed pattern "sometimes", the direction picks the words of
observations/pillars.py (PARENT_WORDS), circumstances that played a part are named
("mostly after a night of sleeping badly"), dates are months. The handout shows no counts,
badges, thresholds, week numbers, instrument names, reporting code or staff instructions.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import dateformat
from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext as _

from observations.choices import CIRCUMSTANCE_PARENT_QUESTIONS, CIRCUMSTANCE_PARENT_WORDS
from observations.models import PillarRating
from observations.pillars import PILLAR_BY_CODE, Direction, Pillar, parent_words
from organisations.downloads import Download
from reports.patterns import PatternKind
from reports.pdf import MIMETYPE, html_to_pdf, page_frame, safe_filename_part
from reports.summary import ChildSummary, PillarSummary

MOMENTS_PER_PILLAR = 2  # notes of typical moments per pillar, at most
MOMENTS_IN_ALL = 8  # notes of typical moments in the whole handout, at most
EXAMPLES_PER_PILLAR = 2  # notes on what stood out, per pillar
QUESTIONS = 4
LISTED_MONTHS = 3  # more months than this read "from ... to ..."


@dataclass(frozen=True)
class Quote:
    """A staff note for the handout: "Zwaaide en liep blij naar papa." (november)."""

    key: str  # "r<PillarRating pk>": a stable id, to pick a quote and to check it belongs to the child
    text: str  # the staff note, ending as a sentence
    when: str  # the month ("november"), in the active language


@dataclass(frozen=True)
class HandoutSection:
    """One pillar on the handout: a few sentences, the suggested quotes and the other notes that fit."""

    pillar: str  # the pillar code
    heading: str
    sentences: tuple[str, ...]
    quotes: tuple[Quote, ...]  # the suggested quotes
    alternatives: tuple[Quote, ...]  # other notes of this child that fit this section, for the coach to pick


@dataclass(frozen=True)
class ParentHandout:
    first_name: str
    full_name: str
    group: str
    mentor: str
    period: str  # "september tot en met november 2026", up to the day it was made
    getting_to_know: bool  # too little observed: the one-page handout
    intro: tuple[str, ...]  # the opening sentences
    good: tuple[HandoutSection, ...]  # what goes well
    noticed: tuple[HandoutSection, ...]  # what stood out (a pillar with both sides lives here only)
    to_watch: str  # getting to know: what we will look at in the coming weeks ("" otherwise)
    not_enough: str  # one sentence about the pillars with too little to say, or ""
    questions: tuple[str, ...]


def handout_to_data(handout: ParentHandout) -> dict[str, Any]:
    """The handout as JSON-safe data (lists, strings, booleans), to store an edited draft."""
    return asdict(handout)


def _section_from_data(data: dict[str, Any]) -> HandoutSection:
    return HandoutSection(
        pillar=str(data["pillar"]),
        heading=str(data["heading"]),
        sentences=tuple(str(s) for s in data["sentences"]),
        quotes=tuple(Quote(str(q["key"]), str(q["text"]), str(q["when"])) for q in data["quotes"]),
        alternatives=tuple(Quote(str(q["key"]), str(q["text"]), str(q["when"])) for q in data["alternatives"]),
    )


def handout_from_data(data: dict[str, Any]) -> ParentHandout:
    """The handout back from `handout_to_data`'s data."""
    return ParentHandout(
        first_name=str(data["first_name"]),
        full_name=str(data["full_name"]),
        group=str(data["group"]),
        mentor=str(data["mentor"]),
        period=str(data["period"]),
        getting_to_know=bool(data["getting_to_know"]),
        intro=tuple(str(s) for s in data["intro"]),
        good=tuple(_section_from_data(s) for s in data["good"]),
        noticed=tuple(_section_from_data(s) for s in data["noticed"]),
        to_watch=str(data["to_watch"]),
        not_enough=str(data["not_enough"]),
        questions=tuple(str(q) for q in data["questions"]),
    )


@dataclass(frozen=True)
class _Row:
    pk: int
    pillar: str
    value: int
    note: str
    date: datetime.date


def _rows(summary: ChildSummary) -> list[_Row]:
    """The window's atypical ratings and notes of the child, newest first: one query."""
    rows = (
        PillarRating.objects.of_child_between(summary.child, summary.period_start, summary.period_end)
        .filter(~Q(value=0) | ~Q(note=""))
        .values_list("pk", "pillar", "value", "note", "observation__date")
    )
    return [_Row(*row) for row in rows]


def _month(day: datetime.date, with_year: bool = False) -> str:
    return dateformat.format(day, "F Y" if with_year else "F")


def months_phrase(days: list[datetime.date]) -> str:
    """When something happened, in months: "in oktober en november", "van juni tot en met november"."""
    months = sorted({d.replace(day=1) for d in days})
    if not months:
        return ""
    if len(months) <= LISTED_MONTHS:
        return _("in %(months)s") % {"months": get_text_list([_month(m) for m in months], _("and"))}
    with_year = months[0].year != months[-1].year
    return _("from %(first)s to %(last)s") % {
        "first": _month(months[0], with_year),
        "last": _month(months[-1], with_year),
    }


def period_phrase(start: datetime.date, end: datetime.date) -> str:
    """The window in months: "september tot en met november 2026"."""
    if (start.year, start.month) == (end.year, end.month):
        return _month(start, True)
    first = _month(start, start.year != end.year)
    return _("%(first)s to %(last)s") % {"first": first, "last": _month(end, True)}


def _sentence(text: str) -> str:
    return capfirst(re.sub(r"\s+", " ", text).replace(" ,", ",").strip())


def as_sentence(note: str) -> str:
    """A staff note as a sentence: one line, a capital first letter, a full stop when it ends without
    one (or a question or exclamation mark)."""
    text = re.sub(r"\s+", " ", note).strip()
    if not text:
        return ""
    text = capfirst(text)
    if text[-1] not in ".!?…":
        text = text.rstrip(",;:-– ") + "."
    return text


def _quote(row: _Row) -> Quote:
    return Quote(f"r{row.pk}", as_sentence(row.note), _month(row.date))


def _distinct_quotes(rows: list[_Row]) -> tuple[Quote, ...]:
    """The notes of `rows` with different texts, newest first (the same sentence written twice is shown once)."""
    seen: set[str] = set()
    found: list[Quote] = []
    for row in rows:
        key = re.sub(r"\W+", " ", row.note).strip().casefold()
        if not key or key in seen:
            continue
        seen.add(key)
        found.append(_quote(row))
    return tuple(found)


def _clause(pillar: Pillar, direction: str, often: str, name: str) -> str:
    words = parent_words(pillar)
    clause = words.clause(direction) or ""
    return str(clause) % {"name": name, "often": often, "description": pillar.description_of(direction)}


def _circumstances(p: PillarSummary) -> str:
    if not p.pattern.mostly_with_circumstances:
        return ""
    named = [str(CIRCUMSTANCE_PARENT_WORDS[c]) for c in p.pattern.circumstances if c in CIRCUMSTANCE_PARENT_WORDS]
    return get_text_list(named, _("or")) if named else ""


def noticed_sentences(p: PillarSummary, dates: list[datetime.date], name: str) -> tuple[str, ...]:
    """What staff noticed on one pillar, in words: from the pattern's kind and direction, the
    months of the atypical ratings and the circumstances that played a part."""
    when = months_phrase(dates) or _("in recent weeks")
    recurring = p.pattern.kind == PatternKind.RECURRING
    direction = p.pattern.dominant_direction
    circumstances = _circumstances(p)
    sentences = []
    if direction:
        what = _clause(p.pillar, direction, _("often") if recurring else _("sometimes"), name)
        if circumstances:
            text = _("%(when)s, %(what)s, mostly %(circumstances)s.") % {
                "when": when,
                "what": what,
                "circumstances": circumstances,
            }
        else:
            text = _("%(when)s, %(what)s.") % {"when": when, "what": what}
        sentences.append(_sentence(text))
    else:
        sentences.append(_sentence(_("%(when)s it varied.") % {"when": when}))
        for d in (Direction.LOW, Direction.HIGH):
            if p.figures.direction_count(d) and p.pillar.allows(d):
                sentences.append(_sentence(_("Sometimes %(what)s.") % {"what": _clause(p.pillar, d, "", name)}))
        if circumstances:
            sentences.append(_sentence(_("Mostly %(circumstances)s.") % {"circumstances": circumstances}))
    return tuple(sentences)


def _spread(candidates: dict[str, tuple[Quote, ...]], per_pillar: int, in_all: int) -> dict[str, list[Quote]]:
    """A few quotes per pillar, spread over the pillars first (round by round), `in_all` at most."""
    chosen: dict[str, list[Quote]] = defaultdict(list)
    budget = in_all
    for round_ in range(per_pillar):
        for code, found in candidates.items():
            if budget and len(found) > round_:
                chosen[code].append(found[round_])
                budget -= 1
    return chosen


def _good(
    summary: ChildSummary, notes: dict[str, list[_Row]], name: str, noticed: set[str]
) -> tuple[HandoutSection, ...]:
    """What goes well: per pillar the newest notes of typical moments (different texts, a few per
    pillar, spread over the pillars first), and the words of each pillar with a typical pattern."""
    pillars = [p for p in summary.pillars if p.pillar.code not in noticed]
    candidates = {p.pillar.code: _distinct_quotes(notes.get(p.pillar.code, [])) for p in pillars}
    chosen = _spread(candidates, MOMENTS_PER_PILLAR, MOMENTS_IN_ALL)
    good = []
    for p in pillars:
        words = parent_words(p.pillar)
        sentence = str(words.typical) % {"name": name} if p.pattern.kind == PatternKind.TYPICAL else ""
        quotes = tuple(chosen.get(p.pillar.code, ()))
        if sentence or quotes:
            alternatives = tuple(q for q in candidates[p.pillar.code] if q not in quotes)
            good.append(
                HandoutSection(p.pillar.code, str(words.heading), (sentence,) if sentence else (), quotes, alternatives)
            )
    return tuple(good)


def _questions(summary: ChildSummary, noticed: list[PillarSummary], name: str) -> tuple[str, ...]:
    questions: list[str] = []
    for p in noticed[:2]:
        questions.append(str(parent_words(p.pillar).question) % {"name": name})
    for p in noticed:
        codes = [c for c in p.pattern.circumstances if c in CIRCUMSTANCE_PARENT_QUESTIONS]
        if p.pattern.mostly_with_circumstances and codes:
            questions.append(str(CIRCUMSTANCE_PARENT_QUESTIONS[codes[0]]) % {"name": name})
            break
    if summary.too_little_observed:
        questions.append(_("How is %(name)s doing at home at the moment?") % {"name": name})
        questions.append(_("What should we know about %(name)s to take good care of %(name)s?") % {"name": name})
    else:
        questions.append(_("What do you recognise from home, and what goes differently at home?"))
        questions.append(_("What helps %(name)s at home, and what could we do the same way?") % {"name": name})
    return tuple(dict.fromkeys(questions))[:QUESTIONS]


def parent_handout(summary: ChildSummary) -> ParentHandout:
    """The handout of one child over the summary's window, in the active language (one query)."""
    name = summary.child.first_name
    typical_notes: dict[str, list[_Row]] = defaultdict(list)
    atypical_notes: dict[str, list[_Row]] = defaultdict(list)
    atypical_dates: dict[str, list[datetime.date]] = defaultdict(list)
    for row in _rows(summary):
        if row.pillar not in PILLAR_BY_CODE:
            continue
        if row.value:
            atypical_dates[row.pillar].append(row.date)
            if row.note.strip():
                atypical_notes[row.pillar].append(row)
        elif row.note.strip():
            typical_notes[row.pillar].append(row)
    noticed_pillars = sorted(
        (p for p in summary.pillars if p.pattern.kind in (PatternKind.RECURRING, PatternKind.MIXED)),
        key=lambda p: p.pattern.kind != PatternKind.RECURRING,
    )
    noticed = []
    for p in noticed_pillars:
        found = _distinct_quotes(atypical_notes[p.pillar.code])
        noticed.append(
            HandoutSection(
                pillar=p.pillar.code,
                heading=str(parent_words(p.pillar).heading),
                sentences=noticed_sentences(p, atypical_dates[p.pillar.code], name),
                quotes=found[:EXAMPLES_PER_PILLAR],
                alternatives=found[EXAMPLES_PER_PILLAR:],
            )
        )
    topics = [str(parent_words(p.pillar).topic) % {"name": name} for p in summary.not_enough]
    not_enough = ""
    if topics and not summary.too_little_observed:
        not_enough = _sentence(
            _("We have not seen enough yet to say anything about %(topics)s.")
            % {"topics": get_text_list(topics, _("and"))}
        )
    if summary.too_little_observed:
        intro = (
            _(
                "Here is what we have seen so far. It is the start of a conversation: you know %(name)s best, "
                "and we would like to hear how you see it."
            )
            % {"name": name},
        )
    else:
        intro = (
            _(
                "Every day we see how %(name)s is doing with us. Here we have written down what we noticed: first "
                "what goes well, then what stood out to us. It is the start of a conversation: you know %(name)s "
                "best, and we would like to hear how you see it."
            )
            % {"name": name},
        )
    return ParentHandout(
        first_name=name,
        full_name=summary.child.full_name,
        group=summary.group.name if summary.group else "",
        mentor=summary.mentor.display_name if summary.mentor else "",
        # up to the day it was made: its week may run into a month (or year) that has not begun
        period=period_phrase(summary.period_start, summary.period_end_so_far),
        getting_to_know=summary.too_little_observed,
        intro=intro,
        good=_good(summary, typical_notes, name, {p.pillar.code for p in noticed_pillars}),
        noticed=tuple(noticed),
        to_watch=get_text_list(topics, _("and")) if summary.too_little_observed else "",
        not_enough=not_enough,
        questions=_questions(summary, noticed_pillars, name),
    )


def render_parent_handout_pdf(handout: ParentHandout, *, made_on: datetime.date) -> Download:
    """The parent handout as a PDF, in the active language: rendered from the handout alone, so an
    edited handout prints the same way."""
    context = {
        "handout": handout,
        "made_on": made_on,
        "frame": page_frame(
            handout.full_name,
            _("What we saw at the childcare, not a diagnosis."),
            margin="18mm 18mm 22mm 18mm",
            font_size="8.5pt",
        ),
    }
    html = render_to_string("reports/parent_handout_pdf.html", context)
    filename = f"oudergesprek-{safe_filename_part(handout.first_name)}-{made_on:%Y-%m-%d}.pdf"
    return Download(filename, MIMETYPE, html_to_pdf(html))
