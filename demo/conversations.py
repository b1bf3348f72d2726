"""A demo parent conversation: Daan Mulder's, five weeks ago, with agreements and a focus
for the group on "seeking comfort" that is still running. Running it again changes nothing."""

from __future__ import annotations

import datetime

from django.db import transaction

from children.models import Child
from conversations.models import Agreement, Conversation
from organisations.calendar import today
from organisations.models import Organisation
from staff.history import changes_by
from staff.models import User

CHILD = ("Daan", "Mulder")
COACH_EMAIL = "coach@example.org"
WEEKS_AGO = 5


@transaction.atomic
def seed_demo_conversations(organisation: Organisation) -> int:
    """Create the demo conversation when it is missing; return how many were created (0 or 1)."""
    child = Child.objects.filter(organisation=organisation, first_name=CHILD[0], last_name=CHILD[1]).first()
    coach = User.objects.filter(email=COACH_EMAIL).first()
    if child is None or coach is None or child.conversations.exists():
        return 0
    with changes_by(coach):  # the history names the coach, as if they had recorded it on the page
        _record(child, coach)
    return 1


def _record(child: Child, coach: User) -> None:
    day = today() - datetime.timedelta(weeks=WEEKS_AGO)
    conversation = Conversation(
        child=child,
        date=day,
        participants="moeder, vader, mentor, pedagogisch coach",
        parents_context=(
            "Daan heeft thuis een broertje gekregen. Hij slaapt onrustiger en wil 's avonds lang bij mama "
            "op schoot. Als hij valt, komt hij thuis wel naar papa of mama toe."
        ),
        next_date=today() + datetime.timedelta(days=10),
        recorded_by=coach,
    )
    conversation.save()
    agreements = [
        Agreement(
            conversation=conversation,
            text="Als Daan zich pijn doet, gaat zijn mentor naar hem toe en biedt troost aan, ook als hij niet komt.",
            who="mentor en groep",
            follow_up=day + datetime.timedelta(weeks=4),
            for_group=True,
            focus_pillars=["comfort_seeking"],
            focus_weeks=8,
        ),
        Agreement(
            conversation=conversation,
            text="Ouders vertellen bij het brengen hoe Daan heeft geslapen.",
            who="ouders",
            follow_up=day + datetime.timedelta(weeks=8),
        ),
    ]
    for agreement in agreements:
        agreement.save()
