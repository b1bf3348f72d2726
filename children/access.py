"""One access answer per child: `child_access(user, child_id)` reads the child, its mentor today
(children/selectors.py `current_mentor`) and everything the user may do with it in ONE query, each
capability an EXISTS of the rule the Child queryset filters with (children/models.py `ChildRules`,
built from staff/access.py). The child page, the summary and its PDFs, and the conversation pages
ask it; nothing else fetches a child by id for a view.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Case, Q, Value, When
from django.http import Http404

from children.models import Child, ChildRules
from children.selectors import with_current_mentor_column
from staff.scope import AnyUser


@dataclass(frozen=True)
class ChildAccess:
    """What one user may do with one child they may see (its basic facts: name, age, placements)."""

    child: Child
    may_read_observations: bool  # the timeline, the summary over the weeks
    may_log: bool  # log an observation
    may_read_conversations: bool  # the parent conversations, the parents' words included
    may_record_conversation: bool  # record a parent conversation

    @property
    def may_export(self) -> bool:
        """Download the summary PDF and the parent handout: whoever reads the observations."""
        return self.may_read_observations


def _flag(rule: Q) -> Case:
    """A rule as a yes/no column (a rule that holds nowhere for the user is simply no)."""
    return Case(When(rule, then=Value(True)), default=Value(False), output_field=BooleanField())


def _column(row: Child, name: str) -> bool:
    """An annotated yes/no column of `row` (the type checker does not see annotations)."""
    return bool(getattr(row, name))


def child_access(user: AnyUser, child_id: int) -> ChildAccess:
    """The child, its mentor today and the user's rights on it, in one query. Http404 when the child
    does not exist or the user may not see it: an outsider cannot tell "not yours" from "does not exist"."""
    rules = ChildRules.of(user)
    row = (
        with_current_mentor_column(Child.objects.filter(rules.visible, pk=child_id))
        .select_related("organisation")
        .annotate(
            user_reads=_flag(rules.observable),
            user_logs=_flag(rules.loggable),
            user_reads_conversations=_flag(rules.conversations_readable),
            user_records_conversations=_flag(rules.conversations_recordable),
        )
        .first()
    )
    if row is None:
        raise Http404
    return ChildAccess(
        child=row,
        may_read_observations=_column(row, "user_reads"),
        may_log=_column(row, "user_logs"),
        may_read_conversations=_column(row, "user_reads_conversations"),
        may_record_conversation=_column(row, "user_records_conversations"),
    )
