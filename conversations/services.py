"""Writes: recording and changing a parent conversation with its agreements, all or nothing.

Like observations/services.py: keyword arguments, every rule checked, one transaction,
ValidationError with messages for the person at the screen (keys: field names,
`agreements`, or NON_FIELD_ERRORS).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NotRequired, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from children.entries import EntryKit, EntryWords, Errors, check_length
from children.models import Child
from conversations.models import FOCUS_MAX_WEEKS, TEXT_MAX_LENGTH, Agreement, Conversation
from observations.pillars import PILLAR_BY_CODE
from organisations.text import visible_text
from staff.models import User

# The entry mechanics (submission key, edit window, version claim, date checks): children/entries.py.
ENTRY = EntryKit(
    Conversation,
    author="recorded_by",
    words=EntryWords(
        missing_date=gettext_lazy("Enter the date of the conversation."),
        future_date=gettext_lazy("A conversation that took place cannot be in the future."),
        form_used=gettext_lazy("This form was already used. Start again."),
        closed=gettext_lazy(
            "Only the person who recorded a conversation can change it, and only within %(days)d days."
        ),
        conflict=gettext_lazy("Someone else changed this conversation after you opened it. Reload it and try again."),
    ),
)


@dataclass(frozen=True)
class AgreementInput:
    text: str = ""
    who: str = ""
    follow_up: datetime.date | None = None
    due_by: datetime.date | None = None
    for_group: bool = False
    focus_pillars: tuple[str, ...] = field(default_factory=tuple)
    focus_weeks: int | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            visible_text(self.text) or visible_text(self.who) or self.follow_up or self.due_by or self.focus_pillars
        )


def _check_agreement(number: int, item: AgreementInput, date: datetime.date | None) -> list[str]:
    """The messages for one agreement (numbered from 1 as on the form)."""
    messages: list[str] = []
    prefix = _("Agreement %(n)d") % {"n": number}
    if not visible_text(item.text):
        messages.append(_("%(agreement)s: write what was agreed.") % {"agreement": prefix})
    elif len(item.text) > TEXT_MAX_LENGTH:
        messages.append(
            _("%(agreement)s is too long: at most %(max)d characters.") % {"agreement": prefix, "max": TEXT_MAX_LENGTH}
        )
    if not visible_text(item.who):
        messages.append(_("%(agreement)s: say who does it.") % {"agreement": prefix})
    if item.follow_up is None:
        messages.append(_("%(agreement)s: choose when to look back on it.") % {"agreement": prefix})
    elif date is not None and item.follow_up <= date:
        messages.append(_("%(agreement)s: looking back must come after the conversation.") % {"agreement": prefix})
    if item.due_by is not None and date is not None and item.due_by < date:
        messages.append(
            _("%(agreement)s: the date it is done by cannot be before the conversation.") % {"agreement": prefix}
        )
    unknown = [code for code in item.focus_pillars if code not in PILLAR_BY_CODE]
    if unknown:
        messages.append(_("%(agreement)s: choose pillars from the list.") % {"agreement": prefix})
    if item.focus_pillars and not (item.focus_weeks and 1 <= item.focus_weeks <= FOCUS_MAX_WEEKS):
        messages.append(
            _("%(agreement)s: say for how many weeks the group watches (1 to %(max)d).")
            % {"agreement": prefix, "max": FOCUS_MAX_WEEKS}
        )
    if item.focus_weeks and not item.focus_pillars:
        messages.append(_("%(agreement)s: choose the pillars the group watches.") % {"agreement": prefix})
    return messages


@dataclass(frozen=True)
class _CheckedConversation:
    """A conversation that passed every rule, as it is saved."""

    date: datetime.date
    participants: str
    parents_context: str
    next_date: datetime.date | None
    parents_words_in_report: bool
    agreements: list[AgreementInput]  # the rows filled in
    parents_recognise: list[str]  # pillar codes, in the order of the pillars

    def fields(self) -> dict[str, Any]:
        """The conversation's own fields."""
        return {
            "date": self.date,
            "participants": self.participants,
            "parents_context": self.parents_context,
            "next_date": self.next_date,
            "parents_words_in_report": self.parents_words_in_report,
            "parents_recognise": self.parents_recognise,
        }

    def write_rows(self, conversation: Conversation) -> None:
        """Make the conversation's agreements these (each change kept in the history). An agreement kept
        as it was (text, who, look-back date) stays looked back on."""
        looked_back = {}
        for old in conversation.agreements.all():
            looked_back[(old.text, old.who, old.follow_up)] = old.followed_up_at
            old.delete()
        for item in self.agreements:
            agreement = _agreement(conversation, item)
            agreement.followed_up_at = looked_back.get((agreement.text, agreement.who, agreement.follow_up))
            agreement.save()


def _checked(
    *,
    child: Child,
    date: datetime.date | None,
    participants: str,
    parents_context: str = "",
    next_date: datetime.date | None = None,
    parents_words_in_report: bool = False,
    agreements: list[AgreementInput],
    parents_recognise: Iterable[str] = (),
) -> _CheckedConversation:
    """Every rule of a conversation: the conversation as it is saved, or ValidationError with every message."""
    participants, parents_context = visible_text(participants), visible_text(parents_context)
    errors: Errors = {}
    ENTRY.check_date(errors, date, child=child)
    check_length(
        errors, "participants", participants, label=_("Who took part"), max_length=TEXT_MAX_LENGTH, required=True
    )
    check_length(
        errors, "parents_context", parents_context, label=_("What the parents told"), max_length=TEXT_MAX_LENGTH
    )
    if next_date is not None and date is not None and next_date <= date:
        errors["next_date"] = [_("The next conversation must come after this one.")]
    messages = [m for n, a in enumerate(agreements, start=1) if not a.is_empty for m in _check_agreement(n, a, date)]
    if messages:
        errors["agreements"] = messages
    recognised = set(parents_recognise)
    if recognised - set(PILLAR_BY_CODE):
        errors["parents_recognise"] = [_("Choose the pillars from the list.")]
    if errors or date is None:  # a missing date is one of the errors
        raise ValidationError(errors)
    kept = [a for a in agreements if not a.is_empty]
    in_order = [code for code in PILLAR_BY_CODE if code in recognised]
    return _CheckedConversation(date, participants, parents_context, next_date, parents_words_in_report, kept, in_order)


def _agreement(conversation: Conversation, item: AgreementInput) -> Agreement:
    if item.follow_up is None:  # _check_agreement refuses it before
        raise ValueError("An agreement needs a date to look back on it.")
    return Agreement(
        conversation=conversation,
        text=visible_text(item.text),
        who=visible_text(item.who),
        follow_up=item.follow_up,
        due_by=item.due_by,
        for_group=item.for_group,
        focus_pillars=sorted(set(item.focus_pillars), key=list(PILLAR_BY_CODE).index),
        focus_weeks=item.focus_weeks if item.focus_pillars else None,
    )


class ConversationFields(TypedDict):
    """What the recorder fills in: the arguments of conversation_create and conversation_update."""

    date: datetime.date | None
    participants: str
    parents_context: NotRequired[str]
    next_date: NotRequired[datetime.date | None]
    parents_words_in_report: NotRequired[bool]
    agreements: list[AgreementInput]
    parents_recognise: NotRequired[list[str]]


def conversation_create(
    *, child: Child, recorder: User, submission_key: uuid.UUID | None = None, **fields: Unpack[ConversationFields]
) -> tuple[Conversation, bool]:
    """Record a conversation with its agreements. A second call with the same
    `submission_key` returns the first conversation and creates nothing."""
    check = partial(_checked, child=child, **fields)
    return ENTRY.create_once(submission_key, child=child, author=recorder, check=check)


# can_change(conversation, user): only the person who recorded it, only within the edit window (as observations).
can_change = ENTRY.can_change


def conversation_update(
    *, conversation: Conversation, editor: User, version: int, **fields: Unpack[ConversationFields]
) -> Conversation:
    """Change a conversation and replace its agreements; every change is kept in the history."""
    checked = _checked(child=conversation.child, **fields)
    return ENTRY.change(conversation, editor=editor, version=version, checked=checked)


def agreement_looked_back(*, agreement: Agreement) -> Agreement:
    """Mark that the agreement was looked back on (it leaves the follow-up lists). The history names who
    did it: the request's user (staff.history.changes_by(user) without a request)."""
    with transaction.atomic():
        agreement.followed_up_at = timezone.now()
        agreement.save(update_fields=["followed_up_at"])
        Child.objects.filter(conversations=agreement.conversation_id).record_changed()
    return agreement
