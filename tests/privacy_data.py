"""A child with something in every corner of the database, and a pg_dump to search it.

`rich_child(cast, client_for)` gives the child a unique name, an earlier name (changed in the
admin), placements (one deleted again), a mentor, observations with notes (one edited, one
removed, a rating dropped in an edit), a parent conversation with an agreement, a consent,
access-log rows and admin-log entries. Every text written about it carries a unique marker.
"""

import datetime

from django.db import connection
from django.urls import reverse

from attachment_site.pg_tools import client_binary, live_connection_conninfo, run_client
from children.models import Placement
from conversations.models import Agreement, Conversation
from observations.services import RatingInput, observation_remove, observation_update
from organisations.calendar import today
from privacy.models import RetentionConsent
from tests import factories as f
from tests.observation_factories import make_observation

NAME = ("Zebedeus", "Quirijnsma")
EARLIER_FIRST_NAME = "Zebbedoes"
MARKERS = [
    "UNIEK-notitie-8271",  # an observation's note, as it is now
    "UNIEK-oude-notitie-1406",  # the same note before the edit (history only)
    "UNIEK-pijler-5512",  # a rating's note
    "UNIEK-weggehaald-3390",  # a rating's note, dropped in the edit (history only)
    "UNIEK-verwijderd-7718",  # an observation the observer removed
    "UNIEK-gesprek-4471",  # what the parents told
    "UNIEK-afspraak-9034",  # an agreement
    "UNIEK-toestemming-6620",  # a consent's note
]


def rich_child(cast, client_for):
    admin = client_for(cast.admin)
    child = f.make_child(cast.group_a, EARLIER_FIRST_NAME, mentor=cast.staff_a)
    child.last_name = NAME[1]
    child.save()
    # Renamed in the administration: the admin log and the history remember the earlier name.
    placement = child.placements.get()
    mentorship = child.mentorships.get()
    response = admin.post(
        reverse("admin:children_child_change", args=[child.pk]),
        {
            "organisation": cast.org.pk,
            "first_name": NAME[0],
            "last_name": NAME[1],
            "date_of_birth": child.date_of_birth.isoformat(),
            "form_of_address": child.form_of_address,
            "parents_language": child.parents_language,
            "placements-TOTAL_FORMS": "1",
            "placements-INITIAL_FORMS": "1",
            "placements-0-id": placement.pk,
            "placements-0-child": child.pk,
            "placements-0-group": cast.group_a.pk,
            "placements-0-start_date": placement.start_date.isoformat(),
            "mentorships-TOTAL_FORMS": "1",
            "mentorships-INITIAL_FORMS": "1",
            "mentorships-0-id": mentorship.pk,
            "mentorships-0-child": child.pk,
            "mentorships-0-mentor": cast.staff_a.pk,
            "mentorships-0-start_date": mentorship.start_date.isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    child.refresh_from_db()
    assert child.first_name == NAME[0]
    # A placement that was deleted again: only its history rows are left.
    Placement.objects.create(
        child=child,
        group=cast.group_b,
        start_date=placement.start_date,
        end_date=placement.start_date + datetime.timedelta(days=10),
    ).delete()

    observation = make_observation(
        child,
        cast.staff_a,
        note=MARKERS[1],
        ratings=[
            RatingInput(pillar="comfort_seeking", kind="low", strength="clear", note=MARKERS[2]),
            RatingInput(pillar="reunion", kind="typical", note=MARKERS[3]),
        ],
    )
    observation_update(
        observation=observation,
        editor=cast.staff_a,
        version=observation.version,
        date=observation.date,
        situation=observation.situation,
        circumstances=["slept_badly"],
        note=MARKERS[0],
        ratings=[RatingInput(pillar="comfort_seeking", kind="low", strength="clear", note=MARKERS[2])],
    )
    removed = make_observation(child, cast.staff_a, note=MARKERS[4])
    observation_remove(observation=removed, editor=cast.staff_a, version=removed.version)

    conversation = Conversation.objects.create(
        child=child, date=today(), participants="moeder, mentor", parents_context=MARKERS[5], recorded_by=cast.coach
    )
    Agreement.objects.create(
        conversation=conversation, text=MARKERS[6], who="mentor", follow_up=today() + datetime.timedelta(weeks=4)
    )
    RetentionConsent.objects.create(
        child=child,
        kind=RetentionConsent.Kind.HAND_OVER,
        given_on=today(),
        until=today(),
        note=MARKERS[7],
        recorded_by=cast.admin,
    )
    # Seen on pages: rows naming it, and group rows listing it.
    staff = client_for(cast.staff_a)
    for url in (
        reverse("child_detail", args=[child.pk]),
        reverse("observation_detail", args=[observation.pk]),
        reverse("group_detail", args=[cast.group_a.pk]),
        reverse("child_summary", args=[child.pk]),
    ):
        assert staff.get(url).status_code == 200, url
    return child


def database_dump() -> str:
    """The whole test database as pg_dump writes it (schema and every row). Needs committed data:
    use it in tests marked django_db(transaction=True).

    pg_dump connects exactly as Django's own connection did (attachment_site/pg_tools.py): the live
    connection's resolved parameters (host or socket directory, port, user, database, options) and its
    password, whatever the URI held (a TCP host, `?host=/socket/dir` of the embedded server)."""
    conninfo, env, server_major = live_connection_conninfo(connection)
    command = [client_binary("pg_dump", server_major), "--no-owner", "--no-privileges", "--dbname", conninfo]
    return run_client(command, env).stdout


def traces(dump: str) -> list[str]:
    """The child's names and the markers that appear in the dump."""
    words = [*NAME, EARLIER_FIRST_NAME, *MARKERS]
    return [word for word in words if word in dump]
