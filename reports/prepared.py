"""Preparing the parent handout before it is printed, and keeping what was handed over (issue 21).

The coach or the child's mentor opens the generated handout as a draft (one open draft per person
and child), edits its sentences or leaves them out, picks which staff notes it quotes, looks at the
PDF, and marks it ready: then the text is stored as it was printed and never changed again. A
reprint renders the stored text in the language it was written in; nothing is generated anew.

Who may: the view asks children/access.py (`may_record_conversation` to prepare,
`conversations_readable_by` to reprint). The services here assume the caller checked.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from children.models import Child
from conversations.models import Conversation
from organisations.calendar import day_of, today
from organisations.compiled import CompiledQuery
from organisations.downloads import Download
from reports.handout import (
    HandoutSection,
    ParentHandout,
    Quote,
    handout_from_data,
    handout_to_data,
    parent_handout,
    render_parent_handout_pdf,
)
from reports.models import PreparedHandout
from reports.summary import child_summary
from staff.models import User
from staff.scope import AnyUser

SINGLE_SENTENCES = ("to_watch", "not_enough")  # the handout's one-sentence parts, "" when absent
SECTION_PARTS = ("good", "noticed")


def whose_notes_hint(child: Child) -> str:
    """The prepare page's line on choosing the notes to quote, naming who wrote them: at a childminder's
    home one person, the gastouder, writes every note (there are no "staff"); elsewhere the staff."""
    if child.cared_for_at_childminder_home():
        return _("Choose which of the childminder's notes it quotes.")
    return _("Choose which notes of the staff it quotes.")


class StaleDraft(Exception):
    """The draft the form was made from is no longer the person's open draft (finished or begun again)."""


# -- the sentences and quotes of a handout, by the names the form gives them ------------------------


@dataclass(frozen=True)
class Sentence:
    name: str  # "intro-0", "good-2-1", "to_watch", "questions-3"
    text: str


@dataclass(frozen=True)
class SectionChoice:
    """One section's staff notes to quote: `chosen` are quoted, all `options` may be."""

    name: str  # "good-2", "noticed-0"
    section: HandoutSection
    options: tuple[Quote, ...]
    chosen: tuple[str, ...]  # keys


def section_sentences(part: str, number: int, section: HandoutSection) -> list[Sentence]:
    return [Sentence(f"{part}-{number}-{i}", text) for i, text in enumerate(section.sentences)]


def sentences(handout: ParentHandout) -> Iterator[Sentence]:
    """Every sentence the coach may edit or leave out, in the handout's order."""
    for i, text in enumerate(handout.intro):
        yield Sentence(f"intro-{i}", text)
    for part in SECTION_PARTS:
        for number, section in enumerate(getattr(handout, part)):
            yield from section_sentences(part, number, section)
    for name in SINGLE_SENTENCES:
        if getattr(handout, name):
            yield Sentence(name, getattr(handout, name))
    for i, text in enumerate(handout.questions):
        yield Sentence(f"questions-{i}", text)


def section_choices(handout: ParentHandout) -> Iterator[SectionChoice]:
    for part in SECTION_PARTS:
        for number, section in enumerate(getattr(handout, part)):
            options = (*section.quotes, *section.alternatives)
            if options:
                yield SectionChoice(f"{part}-{number}", section, options, tuple(q.key for q in section.quotes))


def _edit_section(
    part: str, number: int, section: HandoutSection, texts: dict[str, str], chosen: dict[str, list[str]] | None
) -> HandoutSection:
    edited = tuple(texts.get(s.name, s.text) for s in section_sentences(part, number, section))
    quotes, alternatives = section.quotes, section.alternatives
    keys = None if chosen is None else chosen.get(f"{part}-{number}")
    if keys is not None:
        options = (*section.quotes, *section.alternatives)
        quotes = tuple(q for q in options if q.key in keys)
        alternatives = tuple(q for q in options if q.key not in keys)
    return dataclasses.replace(section, sentences=edited, quotes=quotes, alternatives=alternatives)


def edited(handout: ParentHandout, texts: dict[str, str], chosen: dict[str, list[str]]) -> ParentHandout:
    """The handout with the sentences' new `texts` (by name) and per section the quoted notes `chosen`
    (keys, by section name); the notes not chosen stay as alternatives."""
    changes: dict[str, object] = {
        "intro": tuple(texts.get(f"intro-{i}", text) for i, text in enumerate(handout.intro)),
        "questions": tuple(texts.get(f"questions-{i}", text) for i, text in enumerate(handout.questions)),
    }
    for part in SECTION_PARTS:
        changes[part] = tuple(_edit_section(part, n, s, texts, chosen) for n, s in enumerate(getattr(handout, part)))
    for name in SINGLE_SENTENCES:
        if getattr(handout, name):
            changes[name] = texts.get(name, getattr(handout, name))
    return dataclasses.replace(handout, **changes)  # type: ignore[arg-type]


def printed(handout: ParentHandout, left_out: set[str] | frozenset[str]) -> ParentHandout:
    """What the parents read: the sentences left out removed, no alternatives (only what is quoted)."""

    def kept(prefix: str, texts: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(t for i, t in enumerate(texts) if f"{prefix}-{i}" not in left_out)

    changes: dict[str, object] = {
        "intro": kept("intro", handout.intro),
        "questions": kept("questions", handout.questions),
    }
    for part in SECTION_PARTS:
        changes[part] = tuple(
            dataclasses.replace(s, sentences=kept(f"{part}-{n}", s.sentences), alternatives=())
            for n, s in enumerate(getattr(handout, part))
        )
    for name in SINGLE_SENTENCES:
        if name in left_out:
            changes[name] = ""
    return dataclasses.replace(handout, **changes)  # type: ignore[arg-type]


# -- drafts --------------------------------------------------------------------------------------------


def stored_handout(prepared: PreparedHandout) -> ParentHandout:
    return handout_from_data(prepared.content)


def open_draft(child: Child, user: AnyUser) -> PreparedHandout | None:
    """The user's open draft for the child, if there is one."""
    return (
        PreparedHandout.objects.filter(child=child, prepared_by_id=getattr(user, "pk", None))
        .filter(status=PreparedHandout.Status.DRAFT)
        .first()
    )


def _new_draft(child: Child, user: User, weeks: int) -> PreparedHandout:
    summary = child_summary(child, weeks)
    language = child.parents_language
    with translation.override(language):
        handout = parent_handout(summary)
        content = handout_to_data(handout)
    return PreparedHandout(
        child=child,
        language=language,
        content=content,
        prepared_by=user,
        weeks=summary.weeks,
        period_start=summary.period_start,
        period_end=summary.period_end,
    )


def draft_for(*, child: Child, user: User, weeks: int) -> PreparedHandout:
    """The user's open draft for the child, or a new one generated from the child's summary."""
    draft = open_draft(child, user)
    if draft is not None:
        return draft
    draft = _new_draft(child, user, weeks)
    try:
        with transaction.atomic():
            draft.save()
    except IntegrityError:  # a second request made it in the meantime: continue that one
        found = open_draft(child, user)
        if found is None:
            raise
        return found
    return draft


def begin_again(*, child: Child, user: User, weeks: int) -> PreparedHandout:
    """Throw the open draft away and generate the handout anew."""
    with transaction.atomic():
        PreparedHandout.objects.filter(
            child=child, prepared_by=user, status=PreparedHandout.Status.DRAFT
        ).select_for_update().delete()
        draft = _new_draft(child, user, weeks)
        draft.save()
    return draft


def _locked_draft(child: Child, user: User, draft_pk: int) -> PreparedHandout:
    draft = (
        PreparedHandout.objects.select_for_update()
        .filter(pk=draft_pk, child=child, prepared_by=user, status=PreparedHandout.Status.DRAFT)
        .first()
    )
    if draft is None:
        raise StaleDraft
    return draft


def draft_save(
    *, child: Child, user: User, draft_pk: int, handout: ParentHandout, left_out: set[str]
) -> PreparedHandout:
    """Store the edited text of the user's open draft `draft_pk` (StaleDraft when it is not open any more)."""
    with transaction.atomic():
        draft = _locked_draft(child, user, draft_pk)
        draft.content = handout_to_data(handout)
        draft.left_out = sorted(left_out)
        draft.save(update_fields=["content", "left_out", "updated_at"])
    return draft


def draft_finish(
    *, child: Child, user: User, draft_pk: int, handout: ParentHandout, left_out: set[str]
) -> PreparedHandout:
    """Mark the draft ready: the text stored exactly as it is printed, who and when. Never changed after."""
    with transaction.atomic():
        draft = _locked_draft(child, user, draft_pk)
        draft.content = handout_to_data(printed(handout, left_out))
        draft.left_out = []
        draft.status = PreparedHandout.Status.READY
        draft.ready_at = timezone.now()
        draft.save(update_fields=["content", "left_out", "status", "ready_at", "updated_at"])
        Child.objects.filter(pk=child.pk).record_changed()  # what was handed over: a new version
    return draft


def render_prepared_pdf(prepared: PreparedHandout) -> Download:
    """The PDF of a prepared handout from its stored text, in the language it was written in: a ready
    one dated the day it was made ready, a draft today."""
    made_on = day_of(prepared.ready_at) if prepared.ready_at else today()
    with translation.override(prepared.language):
        handout = printed(stored_handout(prepared), set(prepared.left_out))
        return render_parent_handout_pdf(handout, made_on=made_on)


# -- reading the ready ones ------------------------------------------------------------------------------


def readable_ready_handout(user: AnyUser, pk: int) -> PreparedHandout | None:
    """A ready handout, if the user reads the child's parent conversations (the coach, the manager, the
    mentor): the conversation record points at it."""
    return (
        PreparedHandout.objects.filter(
            pk=pk, status=PreparedHandout.Status.READY, child__in=Child.objects.conversations_readable_by(user)
        )
        .select_related("child", "prepared_by")
        .first()
    )


@dataclass(frozen=True)
class ReadyHandout:
    """The child's latest handout made ready, as the child page names it (its text stays unread)."""

    pk: int
    ready_at: datetime.datetime
    prepared_by_name: str


def _latest_ready_handout(*, child_id: int) -> QuerySet[PreparedHandout, tuple[Any, ...]]:
    return (
        PreparedHandout.objects.filter(child_id=child_id, status=PreparedHandout.Status.READY)
        .order_by("-ready_at", "-pk")
        .values_list("pk", "ready_at", "prepared_by__first_name", "prepared_by__last_name", "prepared_by__email")[:1]
    )


# Asked on every child page of a reader of conversations: compiled once (organisations/compiled.py).
_LATEST_READY_HANDOUT = CompiledQuery(_latest_ready_handout, child_id=int)


def latest_ready_handout(child: Child) -> ReadyHandout | None:
    for pk, ready_at, first_name, last_name, email in _LATEST_READY_HANDOUT.rows(child_id=child.pk):
        return ReadyHandout(pk, ready_at, User.display_name_of(first_name, last_name, email))
    return None


def handed_over(conversation: Conversation) -> list[PreparedHandout]:
    """The ready handouts of the conversation's child made ready after the child's previous conversation
    and on or before this one's day: what the parents were handed at this conversation. Two queries."""
    previous: datetime.date | None = Conversation.objects.filter(
        child_id=conversation.child_id, date__lt=conversation.date
    ).aggregate(last=Max("date"))["last"]
    handouts = PreparedHandout.objects.filter(
        child_id=conversation.child_id, status=PreparedHandout.Status.READY, ready_at__date__lte=conversation.date
    )
    if previous is not None:
        handouts = handouts.filter(ready_at__date__gt=previous)
    return list(handouts.select_related("prepared_by").order_by("ready_at"))


def handout_for_next_conversation(child: Child, *, since: datetime.date) -> PreparedHandout | None:
    """The handout prepared for the child's coming conversation: the newest ready one, made ready on or
    after `since` and after the child's last recorded conversation (one handed over already is not
    handed over again); None when there is none. Two queries."""
    last: datetime.date | None = Conversation.objects.filter(child_id=child.pk).aggregate(last=Max("date"))["last"]
    handouts = PreparedHandout.objects.filter(
        child_id=child.pk, status=PreparedHandout.Status.READY, ready_at__date__gte=since
    )
    if last is not None:
        handouts = handouts.filter(ready_at__date__gt=last)
    return handouts.order_by("-ready_at").first()
