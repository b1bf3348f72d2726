"""The parent handout: what staff saw, in plain and warm words, for the conversation with the parents.

It comes from the same computation as the team summary (weekly figures -> pillar patterns
-> `child_summary`). `parent_handout(summary)` adds what only the handout needs, in one
query: the notes of the window (moments that go well, examples of what stood out) and the
months in which each pillar's atypical ratings fell. `render_parent_handout_pdf` is a pure
renderer: handout in, a Download (filename, content type, bytes) out.

What parents read is built from the pattern of each pillar, never from a count: a recurring
attention point becomes "often", a mixed pattern "sometimes", the direction picks the words of
observations/pillars.py (PARENT_WORDS), circumstances that played a part are named
("mostly after a bad night"), dates are months. The handout shows no counts,
badges, thresholds, week numbers, instrument names, reporting code or staff instructions.

The child's form of address decides the words after its first name: "he" or "she" the pronouns,
only the name a text that says the name once a sentence (`Address`, `observations.pillars.Phrase`).
A pillar that stood out is one paragraph under what stood out, also when it had moments that went
well ("Op andere momenten ging hij wel ..."); what goes well holds the typical pillars only. Quotes
are staff notes as sentences, dated by month (never the recorded moment, which may be a default),
each from another observation with another text; a note of a moment that went well is never an
example of a concern. A child with too little observed gets the one-page getting-to-know handout.

`ParentHandout` holds everything the PDF prints (the template reads nothing else), so an edited
handout prints the same way: `handout_to_data` / `handout_from_data` store it as JSON.
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
from django.utils.translation import pgettext

from children.models import Child, FormOfAddress
from observations.choices import CIRCUMSTANCE_PARENT_QUESTIONS, CIRCUMSTANCE_PARENT_WORDS
from observations.models import PillarRating
from observations.pillars import PILLAR_BY_CODE, Direction, Phrase, Pillar, carer_words, parent_words
from organisations.downloads import Download
from organisations.models import Location
from reports.patterns import PatternKind
from reports.pdf import MIMETYPE, html_to_pdf, parent_page_frame, safe_filename_part
from reports.summary import ChildSummary, PillarSummary

MOMENTS_PER_PILLAR = 2  # notes of typical moments per pillar, at most
MOMENTS_IN_ALL = 6  # notes of typical moments in the whole handout, at most
MOMENTS_GETTING_TO_KNOW = 3  # notes of what we saw so far on the getting-to-know handout
GETTING_TO_KNOW_CHARACTERS = 300  # ... and their length together (after the first), to keep it to one page
EXAMPLES_PER_PILLAR = 2  # notes on what stood out, per pillar
WATCHED = 3  # pillars named on the getting-to-know handout, at most
# The pillars the getting-to-know handout names first, when there is too little to say about them.
WATCH_FIRST = ("comfort_seeking", "reunion", "exploration", "positive_affect", "trust_help")
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
    # what only one person has seen so far, and that the parents' view counts (`_one_person`), or ""
    one_person: str = ""


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
        one_person=str(data.get("one_person", "")),  # drafts stored before it have none
    )


@dataclass(frozen=True)
class _Row:
    pk: int
    observation: int
    pillar: str
    value: int
    note: str
    date: datetime.date


def _rows(summary: ChildSummary) -> list[_Row]:
    """The window's atypical ratings and notes of the child, newest first: one query."""
    rows = (
        PillarRating.objects.of_child_between(summary.child, summary.period_start, summary.period_end)
        .filter(~Q(value=0) | ~Q(note=""))
        .values_list("pk", "observation_id", "pillar", "value", "note", "observation__date")
    )
    return [_Row(*row) for row in rows]


@dataclass
class _Notes:
    typical: dict[str, list[_Row]]
    atypical: dict[str, list[_Row]]
    atypical_dates: dict[str, list[datetime.date]]


def _notes(summary: ChildSummary) -> _Notes:
    notes = _Notes(defaultdict(list), defaultdict(list), defaultdict(list))
    for row in _rows(summary):
        if row.pillar not in PILLAR_BY_CODE:
            continue
        if row.value:
            notes.atypical_dates[row.pillar].append(row.date)
            if row.note.strip():
                notes.atypical[row.pillar].append(row)
        elif row.note.strip():
            notes.typical[row.pillar].append(row)
    return notes


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
    if text.rstrip("\"'”’)")[-1:] not in (".", "!", "?"):
        text = text.rstrip(",;:-–… ") + "."
    return text


@dataclass(frozen=True)
class Address:
    """How the texts refer to the child: its first name, then (with "he" or "she") the pronouns."""

    words: dict[str, str]  # name, he, him, his; carer, carers (`carer_words`)
    pronouns: bool

    @classmethod
    def of(cls, child: Child, *, childminder: bool = False) -> "Address":
        """The child's words; `childminder`: cared for at a childminder's home (the gastouder, not "the staff")."""
        carers = carer_words(childminder=childminder)
        name = child.first_name
        if child.form_of_address == FormOfAddress.HE:
            he, him, his = (
                pgettext("subject pronoun", "he"),
                pgettext("object pronoun", "him"),
                pgettext("possessive pronoun", "his"),
            )
        elif child.form_of_address == FormOfAddress.SHE:
            he, him, his = (
                pgettext("subject pronoun", "she"),
                pgettext("object pronoun", "her"),
                pgettext("possessive pronoun", "her"),
            )
        else:  # only the name: the texts say it once a sentence
            return cls({"name": name, "he": name, "him": name, "his": name, **carers}, pronouns=False)
        return cls({"name": name, "he": he, "him": him, "his": his, **carers}, pronouns=True)

    @property
    def name(self) -> str:
        return self.words["name"]

    def say(self, phrase: Phrase, **more: str) -> str:
        return phrase.say({**self.words, **more}, pronouns=self.pronouns)

    def fill(self, text: str) -> str:
        """A translated text that takes the same placeholders."""
        return text % self.words


def _quote(row: _Row) -> Quote:
    return Quote(f"r{row.pk}", as_sentence(row.note), _month(row.date))


def _note_key(note: str) -> str:
    return re.sub(r"\W+", " ", note).strip().casefold()


class _Picked:
    """The quotes chosen so far in one handout: each a different observation and a different text."""

    def __init__(self) -> None:
        self.observations: set[int] = set()
        self.texts: set[str] = set()

    def fresh(self, rows: list[_Row]) -> list[_Row]:
        """`rows` (newest first) without the notes already chosen, each text and observation once."""
        found, texts, observations = [], set(self.texts), set(self.observations)
        for row in rows:
            key = _note_key(row.note)
            if not key or key in texts or row.observation in observations:
                continue
            texts.add(key)
            observations.add(row.observation)
            found.append(row)
        return found

    def take(self, row: _Row) -> Quote:
        self.texts.add(_note_key(row.note))
        self.observations.add(row.observation)
        return _quote(row)


def _distinct(rows: list[_Row]) -> tuple[Quote, ...]:
    """All notes of `rows` with different texts, newest first: what the coach may pick instead."""
    seen: set[str] = set()
    found = []
    for row in rows:
        key = _note_key(row.note)
        if key and key not in seen:
            seen.add(key)
            found.append(_quote(row))
    return tuple(found)


def _clause(pillar: Pillar, direction: str, often: str, address: Address) -> str:
    clause = parent_words(pillar).clause(direction)
    if clause is None:
        return ""
    return address.say(clause, often=often, description=str(pillar.description_of(direction)))


def _circumstances(p: PillarSummary) -> str:
    if not p.pattern.mostly_with_circumstances:
        return ""
    named = [str(CIRCUMSTANCE_PARENT_WORDS[c]) for c in p.pattern.circumstances if c in CIRCUMSTANCE_PARENT_WORDS]
    return get_text_list(named, _("or")) if named else ""


def noticed_sentences(
    p: PillarSummary, dates: list[datetime.date], address: Address, other: _Row | None = None
) -> tuple[str, ...]:
    """What staff noticed on one pillar, in words: from the pattern's kind and direction, the
    months of the atypical ratings and the circumstances that played a part; then, when the
    pillar also had moments that went well, those (with `other`, a note of one, as its example)."""
    when = months_phrase(dates) or _("in recent weeks")
    recurring = p.pattern.kind == PatternKind.RECURRING
    direction = p.pattern.dominant_direction
    circumstances = _circumstances(p)
    sentences = []
    if direction:
        what = _clause(p.pillar, direction, _("often") if recurring else _("sometimes"), address)
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
                sentences.append(_sentence(_("Sometimes %(what)s.") % {"what": _clause(p.pillar, d, "", address)}))
        if circumstances:
            sentences.append(_sentence(_("Mostly %(circumstances)s.") % {"circumstances": circumstances}))
    if p.figures.typical or other is not None:
        moments = address.say(parent_words(p.pillar).other_moments)
        if other is None:
            sentences.append(_sentence(_("%(other_moments)s.") % {"other_moments": moments}))
        else:
            quote = _quote(other)
            sentences.append(
                _sentence(
                    _("%(other_moments)s, as in %(month)s: “%(note)s”")
                    % {"other_moments": moments, "month": quote.when, "note": quote.text}
                )
            )
    return tuple(sentences)


def _noticed(
    pillars: list[PillarSummary],
    notes: _Notes,
    address: Address,
    picked: _Picked,
) -> tuple[HandoutSection, ...]:
    """What stood out, one paragraph a pillar: the concern with its examples (notes of atypical
    moments only), and the moments that went well in the same paragraph (a note of one of them as
    "at other moments ...", never as an example of the concern)."""
    sections = []
    for p in pillars:
        code = p.pillar.code
        examples = [picked.take(row) for row in picked.fresh(notes.atypical[code])[:EXAMPLES_PER_PILLAR]]
        typical = picked.fresh(notes.typical[code])
        other = typical[0] if typical else None
        if other is not None:
            picked.take(other)
        sections.append(
            HandoutSection(
                pillar=code,
                heading=str(parent_words(p.pillar).heading),
                sentences=noticed_sentences(p, notes.atypical_dates[code], address, other),
                quotes=tuple(examples),
                alternatives=tuple(q for q in _distinct(notes.atypical[code]) if q not in examples),
            )
        )
    return tuple(sections)


def _good(
    pillars: list[PillarSummary], notes: _Notes, address: Address, picked: _Picked, *, with_sentences: bool
) -> tuple[HandoutSection, ...]:
    """What goes well: per pillar its words, and the newest notes of typical moments (different
    observations and texts, a few per pillar, spread over the pillars first). Without the words
    (getting to know the child) only the few newest moments, each of another pillar."""
    chosen: dict[str, list[Quote]] = defaultdict(list)
    budget = MOMENTS_IN_ALL if with_sentences else MOMENTS_GETTING_TO_KNOW
    order = pillars
    if not with_sentences:
        newest = {
            p.pillar.code: max(r.date for r in notes.typical[p.pillar.code])
            for p in pillars
            if notes.typical[p.pillar.code]
        }
        order = sorted(
            (p for p in pillars if p.pillar.code in newest), key=lambda p: newest[p.pillar.code], reverse=True
        )
    characters = 0  # the getting-to-know handout keeps to one page: its quotes together stay short
    for _round in range(MOMENTS_PER_PILLAR if with_sentences else 1):
        for p in order:
            fresh = picked.fresh(notes.typical[p.pillar.code])
            if not (budget and fresh):
                continue
            length = len(fresh[0].note)
            if not with_sentences and characters and characters + length > GETTING_TO_KNOW_CHARACTERS:
                continue
            chosen[p.pillar.code].append(picked.take(fresh[0]))
            characters += length
            budget -= 1
    good = []
    for p in pillars if with_sentences else order:
        if not with_sentences and p.pillar.code not in chosen:
            continue
        words = parent_words(p.pillar)
        sentences = (address.say(words.typical),) if with_sentences else ()
        quotes = tuple(chosen.get(p.pillar.code, ()))
        if sentences or quotes:
            alternatives = tuple(q for q in _distinct(notes.typical[p.pillar.code]) if q not in quotes)
            good.append(HandoutSection(p.pillar.code, str(words.heading), sentences, quotes, alternatives))
    return tuple(good)


def _questions(summary: ChildSummary, noticed: list[PillarSummary], address: Address) -> tuple[str, ...]:
    questions: list[str] = []
    for p in noticed[:2]:
        questions.append(address.say(parent_words(p.pillar).question))
    for p in noticed:
        codes = [c for c in p.pattern.circumstances if c in CIRCUMSTANCE_PARENT_QUESTIONS]
        if p.pattern.mostly_with_circumstances and codes:
            questions.append(address.fill(str(CIRCUMSTANCE_PARENT_QUESTIONS[codes[0]])))
            break
    if summary.too_little_observed:
        questions.append(address.fill(_("How is %(name)s doing at home at the moment?")))
        questions.append(address.fill(_("What does %(name)s enjoy doing at home?")))
        questions.append(address.fill(_("What should we know to take good care of %(name)s?")))
    else:
        questions.append(_("What do you recognise from home, and what goes differently at home?"))
        questions.append(address.fill(_("What helps %(name)s at home, and what could we do the same way?")))
    return tuple(dict.fromkeys(questions))[:QUESTIONS]


def _to_watch(summary: ChildSummary) -> str:
    """What staff will look at in the coming weeks: a few of the pillars with too little seen, in plain words."""
    order = {code: n for n, code in enumerate(WATCH_FIRST)}
    pillars = sorted(summary.not_enough, key=lambda p: order.get(p.pillar.code, len(order)))[:WATCHED]
    if not pillars:
        return ""
    topics = [str(parent_words(p.pillar).topic) for p in pillars]
    return _sentence(
        _("In the coming weeks we will pay particular attention to %(topics)s.")
        % {"topics": get_text_list(topics, _("and"))}
    )


def _at_childminder_home(summary: ChildSummary) -> bool:
    """Whether the child is cared for at a childminder's home (its current placement's location)."""
    return summary.location is not None and summary.location.kind == Location.Kind.CHILDMINDER


def _one_person(summary: ChildSummary, address: Address) -> str:
    """The pillars only one person has seen so far, for the parents: who saw them, and that their own view
    counts (recognised at home, it makes a pattern: reports/patterns.py). "" when there are none. The
    one-page getting-to-know handout, where little is seen anyway, says it only at a childminder's home
    (one person sees every child there), in one short sentence."""
    alone = [p for p in summary.pillars if p.seen_by]
    childminder = _at_childminder_home(summary)
    if not alone:
        return ""
    if summary.too_little_observed:
        if not childminder:
            return ""
        return _(
            "So far only the childminder has seen what we write here. Your view from home counts too: "
            "together we see more."
        )
    who = _("the childminder") if childminder else _("one of our staff")
    topics = get_text_list([str(parent_words(p.pillar).topic) for p in alone], _("and"))
    return _(
        "How %(name)s does with %(topics)s has so far been seen by one person only: %(who)s. "
        "Do you recognise it from home? Your view counts: together we see more."
    ) % {"name": address.name, "topics": topics, "who": who}


def _intro(summary: ChildSummary, address: Address) -> tuple[str, ...]:
    if summary.seen_enough_by_one_person:  # much written down, by one person: not "only a little"
        return (
            address.fill(_("Every day we see how %(name)s is doing with us.")),
            address.fill(_("Here is what we have seen so far, and what we will look at in the coming weeks.")),
            _("It is the start of a conversation, and we would like to hear how you see it."),
        )
    if summary.too_little_observed:
        return (
            address.fill(
                _("We are still getting to know %(name)s: in this period we have written down only a little.")
            ),
            address.fill(_("Here is what we have seen so far, and what we will look at in the coming weeks.")),
            _("It is the start of a conversation, and we would like to hear how you see it."),
        )
    return (
        address.fill(_("Every day we see how %(name)s is doing with us.")),
        _("Here we have written down what we noticed: first what goes well, then what stood out to us."),
        _("It is the start of a conversation, and we would like to hear how you see it."),
    )


def parent_handout(summary: ChildSummary) -> ParentHandout:
    """The handout of one child over the summary's window, in the active language (one query)."""
    address = Address.of(summary.child, childminder=_at_childminder_home(summary))
    notes = _notes(summary)
    noticed_pillars = sorted(
        (p for p in summary.pillars if p.pattern.kind in (PatternKind.RECURRING, PatternKind.MIXED)),
        key=lambda p: p.pattern.kind != PatternKind.RECURRING,
    )
    getting_to_know = summary.too_little_observed
    picked = _Picked()
    noticed = _noticed(noticed_pillars, notes, address, picked)
    if getting_to_know:  # what we saw so far: notes of moments that went well, on any pillar not above
        good_pillars = [p for p in summary.pillars if p not in noticed_pillars]
    else:
        good_pillars = [p for p in summary.pillars if p.pattern.kind == PatternKind.TYPICAL]
    good = _good(good_pillars, notes, address, picked, with_sentences=not getting_to_know)
    not_enough = ""
    topics = [str(parent_words(p.pillar).topic) for p in summary.not_enough]
    if topics and not getting_to_know:
        not_enough = _sentence(
            _("We have not seen enough yet to say anything about %(topics)s.")
            % {"topics": get_text_list(topics, _("and"))}
        )
    return ParentHandout(
        first_name=address.name,
        full_name=summary.child.full_name,
        group=summary.group.name if summary.group else "",
        mentor=summary.mentor.display_name if summary.mentor else "",
        # up to the day it was made: its week may run into a month (or year) that has not begun
        period=period_phrase(summary.period_start, summary.period_end_so_far),
        getting_to_know=getting_to_know,
        intro=_intro(summary, address),
        good=good,
        noticed=noticed,
        to_watch=_to_watch(summary) if getting_to_know else "",
        not_enough=not_enough,
        questions=_questions(summary, noticed_pillars, address),
        one_person=_one_person(summary, address),
    )


def parent_handout_html(handout: ParentHandout, *, made_on: datetime.date) -> str:
    """The parent handout's page as HTML, in the active language (left to right or right to left)."""
    context = {
        "handout": handout,
        "made_on": made_on,
        "frame": parent_page_frame(handout.full_name, _("What we saw at the childcare, not a diagnosis.")),
    }
    return render_to_string("reports/parent_handout_pdf.html", context)


def render_parent_handout_pdf(handout: ParentHandout, *, made_on: datetime.date) -> Download:
    """The parent handout as a PDF, in the active language: rendered from the handout alone, so an
    edited handout prints the same way."""
    html = parent_handout_html(handout, made_on=made_on)
    filename = f"oudergesprek-{safe_filename_part(handout.first_name)}-{made_on:%Y-%m-%d}.pdf"
    return Download(filename, MIMETYPE, html_to_pdf(html))
