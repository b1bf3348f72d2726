"""Who may open what: every URL pattern of the project, for twelve kinds of user, by GET and POST.

The list of patterns comes from the URL resolver, not from this file: a new page, a newly
registered admin model or a new admin view without an entry in MATRIX fails
`test_every_url_pattern_has_an_entry`. Only Django's own routes for logging in and out
and for choosing the language are left out, each with its reason (SKIPPED). Static files
have no URL pattern (WhiteNoise serves them).

Every URL is filled with objects of the first organisation, Linde: location 1, group A,
the child of group A, an observation of that child by staff of group A, that staff
member's user account, an access log row about that child. The gastouderbureau's people (a
gastouder and a bemiddelingsmedewerker of Het Nest, tests/conftest.py `build_nest`) are outsiders
there; BUREAU_MATRIX fills the pages about a child and its place with the bureau's own objects
(the gastouder's home X, its child, an observation by the gastouder, a conversation recorded by
the bemiddelingsmedewerker) and walks them for the bureau's people and the centre's.

The rules, as the expectations below spell them out:

- Anonymous: a redirect to the login page (the admin's own login page for /beheer/); a POST to an
  entry's form gets the page that keeps it and asks for the password (200).
- App pages (pages/urls.py): 200 for a user whose scope holds the object, 404 for any
  other logged-in user (an outsider cannot tell "not yours" from "does not exist").
  GET-only pages answer 405 to POST for everyone, before any login check.
- The admin site (/beheer/), Django's rule: a logged-in user without the `is_staff`
  flag is sent to the admin login page (302); with the flag but without an organisation
  admin role, every model page answers 403 (the index says "nothing to manage", an app
  index 404). Organisation admins and platform superusers: 200 for objects they manage,
  404 for one object outside their organisation(s), in every view naming one object
  (change, delete, history, a user's password page). Django's stock admins (axes,
  auth groups) check model permissions: only the platform superuser gets in (403 else).
  The unnamed `<id>/` pattern of each model redirects to its change page (302), which
  then applies the rules above.
- POST with an empty body: a form page answers 200 with the form's errors (nothing is
  saved: an empty delete confirmation deletes nothing), a read-only admin 403.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from access_log.models import AccessLog
from access_log.services import access_log_record
from batch_export.models import BatchExport
from batch_export.services import build_batch_export
from calibration.models import PracticeRound
from children.models import Child
from conversations.models import Agreement, Conversation
from devices.services import register_tablet
from observations.models import Visit
from organisations.calendar import today
from organisations.models import Location
from planning_import.models import PendingImport
from privacy.models import RetentionConsent
from reports.models import PreparedHandout
from reports.prepared import draft_finish, draft_for, stored_handout
from staff.models import Invitation, Passkey, Role, SecondFactorReset, SingleSignOn, User
from tests import factories as f
from tests.conftest import build_cast, build_nest
from tests.observation_factories import make_observation

pytestmark = pytest.mark.django_db

# --- the users ---------------------------------------------------------------------------
ANON = "anonymous"
STAFF_A = "staff of group A"
STAFF_B = "staff of group B"  # another group, same location
MANAGER = "manager of location 1"
MANAGER_2 = "manager of location 2"  # carries a stale is_staff flag: walks the admin's 403 path
COACH = "coach of locations 1 and 2"
ADMIN = "admin of Linde"
OTHER_ADMIN = "admin of Other"
TWO_ORGS = "staff of group A and admin of Other"
ROOT = "platform superuser"
GASTOUDER = "gastouder of home X of Het Nest"
CONSULTANT = "bemiddelingsmedewerker of homes X and Y of Het Nest"
OTHER_GASTOUDER = "gastouder of home Y of Het Nest"  # walks BUREAU_MATRIX only

USERS = (ANON, STAFF_A, STAFF_B, MANAGER, MANAGER_2, COACH, ADMIN, OTHER_ADMIN, TWO_ORGS, ROOT, GASTOUDER, CONSULTANT)
LOGGED_IN = frozenset(USERS) - {ANON}
MEMBERS_OF_A = frozenset({STAFF_A, MANAGER, COACH, ADMIN, TWO_ORGS, ROOT})  # the basic facts of group A
READERS_OF_A = frozenset({STAFF_A, MANAGER, COACH, TWO_ORGS})  # its observations
LOGGERS_OF_A = frozenset({STAFF_A, TWO_ORGS})
# Parent conversations of the child of group A, whose mentor is staff of group A (children/models.py ChildRules).
CONVERSATION_READERS_OF_A = frozenset({STAFF_A, MANAGER, COACH})
CONVERSATION_RECORDERS_OF_A = frozenset({STAFF_A, COACH})
EXPORTERS_OF_A = frozenset({MANAGER, COACH})  # managers and coaches of location 1 (staff/access.py may_export)
AGREEMENT_READERS_OF_1 = frozenset({MANAGER, COACH})  # the agreement page of location 1 (issue 20)
COACHES_OF_1 = frozenset({COACH})  # plans duo-observations at location 1
VISITORS_OF_HOME = frozenset({COACH})  # records home visits at Linde's childminder's home (ROLE_RULES records_visits)
ADMIN_SITE = frozenset({MANAGER_2, ADMIN, OTHER_ADMIN, TWO_ORGS, ROOT})  # is_staff: past the admin's gate
ORGANISATION_ADMINS = frozenset({ADMIN, OTHER_ADMIN, TWO_ORGS, ROOT})  # an admin role (or superuser)
MANAGERS_OF_LINDE = frozenset({ADMIN, ROOT})
ROOT_ONLY = frozenset({ROOT})
WORKS_SOMEWHERE = LOGGED_IN - {ROOT}  # a membership in an organisation (the superuser has none)
NOBODY: frozenset[str] = frozenset()

# --- the outcomes ------------------------------------------------------------------------
LOGIN = "302 to the login page"
ADMIN_LOGIN = "302 to the admin login page"
REDIRECT = "302 elsewhere"

Outcome = int | str
Expect = Callable[[str, str], Outcome]


def page(allowed: frozenset[str], *, get_only: bool = True, post: Outcome = 200, keeps_post: bool = False) -> Expect:
    """An app page: 200 in scope, 404 outside it, login for anonymous; 405 to POST if GET-only.
    `keeps_post`: an entry's form, whose POST without a session gets the page that asks for the password
    and keeps what was sent (200, pages/signin_to_save.py); its GET still goes to the login page."""

    def expect(user: str, method: str) -> Outcome:
        if method == "post" and get_only:
            return 405
        if user == ANON:
            return 200 if keeps_post and method == "post" else LOGIN
        if user not in allowed:
            return 404
        return post if method == "post" else 200

    return expect


def form_post(allowed: frozenset[str]) -> Expect:
    """A form posted from another page: 405 to GET, login for anonymous; in scope an empty body
    shows that page again with the form's errors (200), 404 outside."""

    def expect(user: str, method: str) -> Outcome:
        if method == "get":
            return 405
        if user == ANON:
            return LOGIN
        return 200 if user in allowed else 404

    return expect


def open_page(*, post: int = 200) -> Expect:
    """A page for everyone, logged in or not (forgotten password)."""

    def expect(user: str, method: str) -> Outcome:
        return post if method == "post" else 200

    return expect


def post_only(allowed: frozenset[str]) -> Expect:
    """An action: 405 to GET for everyone, login for anonymous; a redirect in scope, 404 outside."""

    def expect(user: str, method: str) -> Outcome:
        if method == "get":
            return 405
        if user == ANON:
            return LOGIN
        return REDIRECT if user in allowed else 404

    return expect


def admin_site(get: Callable[[str], Outcome], *, post: Outcome | None = None) -> Expect:
    """An admin page: anonymous users and users without is_staff go to the admin login."""

    def expect(user: str, method: str) -> Outcome:
        if user not in ADMIN_SITE:
            return ADMIN_LOGIN
        if method == "post" and post is not None:
            return post
        return get(user)

    return expect


def scoped(allowed: frozenset[str], *, outsiders: int = 404, post: int | None = None) -> Expect:
    """A view of a ScopedAdmin: 403 without an admin role, `outsiders` for other organisation admins."""

    def get(user: str) -> Outcome:
        if user not in ORGANISATION_ADMINS:
            return 403
        return 200 if user in allowed else outsiders

    def expect(user: str, method: str) -> Outcome:
        if method == "post" and post is not None and user in allowed:
            return admin_site(lambda _: post)(user, method)
        return admin_site(get)(user, method)

    return expect


def stock(allowed: frozenset[str], *, post: Outcome | None = None) -> Expect:
    """A view of a stock admin that checks Django's model permissions (only the superuser holds any)."""

    def get(user: str) -> Outcome:
        return 200 if user in allowed else 403

    def expect(user: str, method: str) -> Outcome:
        if method == "post" and post is not None and user in allowed:
            return post
        return admin_site(get)(user, method)

    return expect


@dataclass(frozen=True)
class Entry:
    expect: Expect
    kwargs: dict[str, str] | None = None  # names of World attributes, filled in at request time
    url: str | None = None  # a literal path, for regular-expression patterns
    literal: dict[str, str] | None = None  # URL arguments that are no object of the world
    query: str = ""


@dataclass(frozen=True)
class ScopedModel:
    """The views of one ScopedAdmin, for one object of Linde."""

    obj: str  # World attribute
    add: frozenset[str] = ORGANISATION_ADMINS
    delete: frozenset[str] = MANAGERS_OF_LINDE
    read_only: bool = False
    password: bool = False


@dataclass(frozen=True)
class StockModel:
    obj: str
    add: frozenset[str] = NOBODY
    change_post: Outcome = 200
    delete: frozenset[str] = ROOT_ONLY


# Every admin model, by "app/model". A newly registered one needs a line here.
ADMIN_MODELS: dict[str, ScopedModel | StockModel] = {
    "organisations/organisation": ScopedModel("org", add=ROOT_ONLY, delete=ROOT_ONLY),
    "organisations/location": ScopedModel("location1"),
    "organisations/group": ScopedModel("group_a"),
    "staff/user": ScopedModel("staff_a", password=True),
    "children/child": ScopedModel("child_a"),
    # Single sign-on of an organisation (staff/sso.py): its own admin sets it up.
    "staff/singlesignon": ScopedModel("sso_config"),
    "privacy/retentionconsent": ScopedModel("retention_consent"),
    "access_log/accesslog": ScopedModel("access_log_row", add=NOBODY, delete=NOBODY, read_only=True),
    # Invitations are made by adding a person or by an import; the list reads and sends again, and withdraws.
    "staff/invitation": ScopedModel("invitation", add=NOBODY, read_only=True),
    # Who reset whose second step (issue 23): read-only, the resets of the people the admin manages.
    "staff/secondfactorreset": ScopedModel("second_factor_reset", add=NOBODY, delete=NOBODY, read_only=True),
    "auth/group": StockModel("auth_group", add=ROOT_ONLY),
    "axes/accessattempt": StockModel("axes_attempt", change_post=REDIRECT),
    "axes/accesslog": StockModel("axes_log", change_post=REDIRECT),
    "axes/accessfailurelog": StockModel("axes_failure", change_post=REDIRECT),
    # The task queue's results (django-tasks-db): read-only, for the platform superuser.
    "django_tasks_database/dbtaskresult": StockModel("task_result", change_post=403, delete=NOBODY),
}


def model_entries(label: str, spec: ScopedModel | StockModel) -> dict[str, Entry]:
    app, model = label.split("/")
    name = f"admin:{app}_{model}"
    obj = {"object_id": spec.obj}
    redirect = Entry(admin_site(lambda _: REDIRECT), obj)
    if isinstance(spec, StockModel):
        return {
            f"{name}_changelist": Entry(stock(ROOT_ONLY)),
            f"{name}_add": Entry(stock(spec.add)),
            f"{name}_change": Entry(stock(ROOT_ONLY, post=spec.change_post), obj),
            f"{name}_delete": Entry(stock(spec.delete), obj),
            f"{name}_history": Entry(stock(ROOT_ONLY), obj),
            f"beheer/{app}/{model}/<path:object_id>/": redirect,
        }
    # Read-only: viewing is allowed, a POST to the change form is not (403), even in scope.
    change_post = 403 if spec.read_only else None
    entries = {
        f"{name}_changelist": Entry(scoped(ORGANISATION_ADMINS)),
        f"{name}_add": Entry(scoped(spec.add, outsiders=403)),
        f"{name}_change": Entry(scoped(MANAGERS_OF_LINDE, post=change_post), obj),
        # Outside the organisation: 404 before the delete permission is asked; inside without it: 403.
        f"{name}_delete": Entry(delete_rule(spec.delete), obj),
        f"{name}_history": Entry(scoped(MANAGERS_OF_LINDE), obj),
        f"beheer/{app}/{model}/<path:object_id>/": redirect,
    }
    if spec.password:
        entries["admin:auth_user_password_change"] = Entry(scoped(MANAGERS_OF_LINDE), {"id": spec.obj})
    return entries


def delete_rule(allowed: frozenset[str]) -> Expect:
    def get(user: str) -> Outcome:
        if user not in ORGANISATION_ADMINS:
            return 403
        if user not in MANAGERS_OF_LINDE:
            return 404
        return 200 if user in allowed else 403

    return admin_site(get)


def site_index(user: str) -> Outcome:
    return 200


def app_index(user: str) -> Outcome:
    return 200 if user in ORGANISATION_ADMINS else 404  # nothing to show: Django answers 404


MATRIX: dict[str, Entry] = {
    # The app's pages (pages/urls.py).
    "home": Entry(page(LOGGED_IN)),
    "location_detail": Entry(
        page(frozenset({STAFF_A, STAFF_B, MANAGER, COACH, ADMIN, TWO_ORGS, ROOT})), {"pk": "location1"}
    ),
    "location_agreement": Entry(page(AGREEMENT_READERS_OF_1), {"pk": "location1"}),
    "duo_observation_new": Entry(form_post(COACHES_OF_1), {"pk": "location1"}),
    "group_detail": Entry(page(MEMBERS_OF_A), {"pk": "group_a"}),
    "child_detail": Entry(page(MEMBERS_OF_A), {"pk": "child_a"}),
    "observation_new": Entry(page(LOGGERS_OF_A, get_only=False, keeps_post=True), {"child_pk": "child_a"}),
    "observation_detail": Entry(page(READERS_OF_A), {"pk": "observation"}),
    "observation_edit": Entry(page(frozenset({STAFF_A}), get_only=False, keeps_post=True), {"pk": "observation"}),
    "observation_remove": Entry(page(frozenset({STAFF_A}), get_only=False), {"pk": "observation"}),
    "mentor_children": Entry(page(LOGGED_IN)),
    # Home visits at Linde's childminder's home (the world's visit is the coach's): who records visits there.
    # An empty POST of the new visit shows its form's messages; of the change saves no change (the agreements
    # may be empty); of the plan shows the overview with the plan form's message.
    "visits": Entry(page(VISITORS_OF_HOME | {CONSULTANT})),  # the consultant's own homes are Het Nest's
    "visit_new": Entry(page(VISITORS_OF_HOME, get_only=False), {"pk": "childminder_home"}),
    "visit_plan": Entry(form_post(VISITORS_OF_HOME), {"pk": "childminder_home"}),
    "visit_detail": Entry(page(VISITORS_OF_HOME), {"pk": "visit"}),
    "visit_edit": Entry(page(VISITORS_OF_HOME, get_only=False, post=REDIRECT), {"pk": "visit"}),
    "child_summary": Entry(page(READERS_OF_A), {"pk": "child_a"}),
    "child_summary_pdf": Entry(page(READERS_OF_A), {"pk": "child_a"}),
    "child_parent_handout_pdf": Entry(page(READERS_OF_A), {"pk": "child_a"}),
    "group_overview": Entry(page(READERS_OF_A), {"pk": "group_a"}),
    "group_overview_csv": Entry(page(READERS_OF_A), {"pk": "group_a"}),
    # Batch export (issue 13): managers and coaches of the location ask; only the one who asked follows and
    # fetches it (the world's export was asked for by the manager of location 1, and is ready).
    "group_export": Entry(post_only(EXPORTERS_OF_A), {"pk": "group_a"}),
    "location_export": Entry(post_only(EXPORTERS_OF_A), {"pk": "location1"}),
    "export_status": Entry(page(frozenset({MANAGER})), {"pk": "batch_export"}),
    "export_progress": Entry(page(frozenset({MANAGER})), {"pk": "batch_export"}),
    "export_download": Entry(page(frozenset({MANAGER})), {"pk": "batch_export"}),
    "conversation_new": Entry(page(CONVERSATION_RECORDERS_OF_A, get_only=False), {"child_pk": "child_a"}),
    "conversation_detail": Entry(page(CONVERSATION_READERS_OF_A), {"pk": "conversation"}),
    # Preparing the parent handout (issue 21): the recorders of conversations; an empty POST is a form of a
    # draft that is not open (a message on the page, back to it). The preview is of one's own open draft
    # (the world's is the coach's); a ready handout is printed again by the readers of conversations.
    "handout_prepare": Entry(page(CONVERSATION_RECORDERS_OF_A, get_only=False, post=REDIRECT), {"pk": "child_a"}),
    "handout_draft_pdf": Entry(page(frozenset({COACH})), {"pk": "child_a"}),
    "prepared_handout_pdf": Entry(page(CONVERSATION_READERS_OF_A), {"pk": "ready_handout"}),
    # Recorded by the coach: only they change it.
    "conversation_edit": Entry(page(frozenset({COACH}), get_only=False), {"pk": "conversation"}),
    # The report for the parents: those who read the whole conversation, the parents' words included.
    "conversation_report_pdf": Entry(page(CONVERSATION_READERS_OF_A), {"pk": "conversation"}),
    "agreement_looked_back": Entry(post_only(CONVERSATION_RECORDERS_OF_A), {"pk": "agreement"}),
    # The access log: organisation admins read their own organisation's rows (privacy, issue 10).
    "access_log": Entry(page(ORGANISATION_ADMINS)),
    "access_log_csv": Entry(page(ORGANISATION_ADMINS)),
    # Reading in from the planning system: organisation admins upload; only the one who uploaded reads
    # the dry run and applies it (the world's file was uploaded by the admin of Linde).
    "planning_import": Entry(page(ORGANISATION_ADMINS, get_only=False)),
    "planning_import_columns": Entry(
        lambda user, method: LOGIN if user == ANON else 404 if user != ADMIN else 200,
        {"pk": "pending_import"},
    ),
    "planning_import_plan": Entry(
        lambda user, method: LOGIN if user == ANON else 404 if user != ADMIN else REDIRECT if method == "post" else 200,
        {"pk": "pending_import"},
    ),
    # Group tablets (issue 12): a manager links a device to a group of their location(s) and unlinks it.
    "tablet_register": Entry(page(frozenset({MANAGER, MANAGER_2}), get_only=False)),
    "tablet_revoke": Entry(post_only(frozenset({MANAGER})), {"pk": "tablet"}),
    # The tablet's screens answer only a browser with a linked tablet's cookie (none here): the
    # group's screen is no page elsewhere (404), choosing a person goes back to it.
    "tablet_home": Entry(lambda user, method: 405 if method == "post" else 404),
    "tablet_unlock": Entry(lambda user, method: REDIRECT, {"user_pk": "staff_a"}),
    # Each staff member's own PIN page.
    "pin_settings": Entry(page(frozenset({STAFF_A, STAFF_B, TWO_ORGS, GASTOUDER}), get_only=False)),
    # The connection check of entries that wait for a connection: an empty answer for anyone.
    "connection_check": Entry(lambda user, method: 405 if method == "post" else 204),
    # The group tablet's service worker: the same script for anyone; the pages it may keep, only for a
    # tablet session (none here: no tablet's cookie), 404 for everyone else.
    "service_worker": Entry(lambda user, method: 405 if method == "post" else 200),
    "tablet_offline_pages": Entry(lambda user, method: 405 if method == "post" else 404),
    # The operator's endpoints (attachment_site/health.py, observability.py): no login, no child's data;
    # /metrics answers the operator's network (the test client's 127.0.0.1) or a token (tests/test_operations.py).
    "health_live": Entry(lambda user, method: 405 if method == "post" else 200),
    "health_ready": Entry(lambda user, method: 405 if method == "post" else 200),
    "metrics": Entry(lambda user, method: 405 if method == "post" else 200),
    # The browser's icon: a permanent redirect to the static file for anyone, GET only.
    "favicon": Entry(lambda user, method: 405 if method == "post" else 301),
    # The calibration round (oefenronde): anyone who works somewhere (a membership); a result only for the
    # one who did the round (the world's round is staff A's). An empty POST answers with the form's messages.
    "practice_round": Entry(page(WORKS_SOMEWHERE, get_only=False)),
    "practice_later": Entry(post_only(WORKS_SOMEWHERE)),
    "practice_result": Entry(page(frozenset({STAFF_A})), {"pk": "practice_round"}),
    # The privacy statement: for staff and parents alike.
    "privacy_statement": Entry(open_page(post=405)),
    # Every user changes their own password; the "done" page only answers GET (after the login check).
    "password_change": Entry(page(LOGGED_IN, get_only=False)),
    "password_change_done": Entry(page(LOGGED_IN, get_only=False, post=405)),
    # The second step (issue 23): these sessions have passed it, so its page sends them on; anyone signed
    # in may set up (again) an authenticator app (an empty POST answers with the form's message).
    "second_step": Entry(lambda user, method: LOGIN if user == ANON else REDIRECT),
    "second_step_setup": Entry(page(LOGGED_IN, get_only=False)),
    # Adding a passkey (staff/passkeys.py): anyone signed in; an empty POST answers with the form's message.
    "second_step_passkey_setup": Entry(page(LOGGED_IN, get_only=False)),
    # Removing a passkey: only its owner (staff A's); everyone else's is no passkey (404).
    "second_step_passkey_remove": Entry(post_only(frozenset({STAFF_A})), {"pk": "staff_a_passkey"}),
    # A forgotten password: the same pages for everyone (a link that does not hold says so).
    "password_reset": Entry(open_page()),
    "password_reset_done": Entry(open_page(post=405)),
    "password_reset_confirm": Entry(open_page(), literal={"uidb64": "bm8", "token": "no-such-token"}),
    "password_reset_complete": Entry(open_page(post=405)),
    # An invitation's link: the same pages for everyone (a link that does not hold says so).
    "invitation_accept": Entry(open_page(), literal={"uidb64": "bm8", "token": "no-such-token"}),
    "invitation_done": Entry(open_page(post=405)),
    # The admin site's own pages.
    "admin:index": Entry(admin_site(site_index)),
    "admin:password_change": Entry(admin_site(site_index)),
    "admin:password_change_done": Entry(admin_site(site_index, post=405)),
    "admin:jsi18n": Entry(admin_site(site_index, post=405)),
    # Search for a mentor: the users the admin manages (staff/access.py managed_users) as JSON.
    "admin:autocomplete": Entry(
        admin_site(lambda user: 200 if user in ORGANISATION_ADMINS else 403, post=405),
        query="app_label=children&model_name=mentorship&field_name=mentor&term=a",
    ),
    # "View on site": no model has a page of its own, so 404 for everyone past the gate.
    "admin:view_on_site": Entry(
        admin_site(lambda _: 404), {"content_type_id": "child_content_type", "object_id": "child_a"}
    ),
    "admin:app_list": Entry(admin_site(app_index), url="/beheer/children/"),
    "beheer/(?P<url>.*)$": Entry(admin_site(lambda _: 404), url="/beheer/no-such-page/"),
}
for _label, _spec in ADMIN_MODELS.items():
    MATRIX.update(model_entries(_label, _spec))

# The pages about a child and its place, filled with the gastouderbureau's objects (home X, its group and
# child, ...): the gastouder of X logs and reads there, the bemiddelingsmedewerker of X reads, prepares and
# records conversations (the coach's rights), the gastouder of Y and the centre's people see nothing of it.
# A home has one observer: no agreement page, no duo-observations.
BUREAU_USERS = (GASTOUDER, CONSULTANT, OTHER_GASTOUDER, STAFF_A, MANAGER, COACH)
HOME_X = frozenset({GASTOUDER, CONSULTANT})
BUREAU_MATRIX: dict[str, Entry] = {
    "location_detail": Entry(page(HOME_X), {"pk": "nest_home_x"}),
    "location_agreement": Entry(page(NOBODY), {"pk": "nest_home_x"}),
    "duo_observation_new": Entry(form_post(NOBODY), {"pk": "nest_home_x"}),
    "group_detail": Entry(page(HOME_X), {"pk": "nest_group_x"}),
    "child_detail": Entry(page(HOME_X), {"pk": "nest_child_x"}),
    "observation_new": Entry(
        page(frozenset({GASTOUDER}), get_only=False, keeps_post=True), {"child_pk": "nest_child_x"}
    ),
    "observation_detail": Entry(page(HOME_X), {"pk": "nest_observation"}),
    "observation_edit": Entry(
        page(frozenset({GASTOUDER}), get_only=False, keeps_post=True), {"pk": "nest_observation"}
    ),
    "observation_remove": Entry(page(frozenset({GASTOUDER}), get_only=False), {"pk": "nest_observation"}),
    "child_summary": Entry(page(HOME_X), {"pk": "nest_child_x"}),
    "child_summary_pdf": Entry(page(HOME_X), {"pk": "nest_child_x"}),
    "child_parent_handout_pdf": Entry(page(HOME_X), {"pk": "nest_child_x"}),
    "group_overview": Entry(page(HOME_X), {"pk": "nest_group_x"}),
    "group_overview_csv": Entry(page(HOME_X), {"pk": "nest_group_x"}),
    "group_export": Entry(post_only(frozenset({CONSULTANT})), {"pk": "nest_group_x"}),
    "location_export": Entry(post_only(frozenset({CONSULTANT})), {"pk": "nest_home_x"}),
    # the gastouder is the child's mentor: they read and record its conversations too
    "conversation_new": Entry(page(HOME_X, get_only=False), {"child_pk": "nest_child_x"}),
    "conversation_detail": Entry(page(HOME_X), {"pk": "nest_conversation"}),
    "handout_prepare": Entry(page(HOME_X, get_only=False, post=REDIRECT), {"pk": "nest_child_x"}),
    "conversation_edit": Entry(page(frozenset({CONSULTANT}), get_only=False), {"pk": "nest_conversation"}),
    "conversation_report_pdf": Entry(page(HOME_X), {"pk": "nest_conversation"}),
    "agreement_looked_back": Entry(post_only(HOME_X), {"pk": "nest_agreement"}),
    # the consultant records the home visits (ROLE_RULES records_visits); the gastouder is visited
    "visit_new": Entry(page(frozenset({CONSULTANT}), get_only=False), {"pk": "nest_home_x"}),
    "visit_plan": Entry(form_post(frozenset({CONSULTANT})), {"pk": "nest_home_x"}),
}

# Routes left out, with the reason. Nothing else may be.
SKIPPED = {
    "login": "Django's LoginView: open to everyone by design, tested in the login journeys",
    "logout": "Django's LogoutView (POST only): ends whatever session there is",
    "set_language": "Django's i18n view: sets a language cookie for anyone",
    "admin:login": "Django's admin login: open to everyone by design",
    "admin:logout": "Django's admin logout",
    "tablet_lock": "POST only, like logout it ends whatever session there is: tests/test_tablet_views.py",
    "sso_login": "an organisation's login page: open to everyone by design, tested in tests/test_sso.py",
    "sso_start": "the way to the organisation's provider: open to everyone, tests/test_sso.py",
    "sso_callback": "the provider's answer: checked against a real provider in tests/test_sso.py",
}


# --- walking the resolver ------------------------------------------------------------------
def url_patterns() -> dict[str, str]:
    """Every pattern of the project: key (namespaced name, or the route when unnamed) -> route."""
    found: dict[str, str] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for item in resolver.url_patterns:
            route = prefix + str(item.pattern)
            if isinstance(item, URLResolver):
                walk(item, route, f"{namespace}{item.namespace}:" if item.namespace else namespace)
            elif isinstance(item, URLPattern):
                key = f"{namespace}{item.name}" if item.name else route
                assert key not in found, f"two patterns answer to {key}"
                found[key] = route

    walk(get_resolver(), "", "")
    return found


def test_every_url_pattern_has_an_entry():
    patterns = url_patterns()
    missing = sorted(set(patterns) - set(MATRIX) - set(SKIPPED))
    stale = sorted((set(MATRIX) | set(SKIPPED)) - set(patterns))
    assert not missing, f"URL patterns without an entry in the permission matrix: {missing}"
    assert not stale, f"entries in the permission matrix without a URL pattern: {stale}"
    assert not set(MATRIX) & set(SKIPPED)
    assert set(BUREAU_MATRIX) <= set(MATRIX)


# --- the world: built once for this module -------------------------------------------------
@dataclass
class World:
    objects: dict[str, Any]  # model instances by name
    clients: dict[str, Client]
    people: dict[str, User]

    def url(self, key: str, entry: Entry) -> str:
        if entry.url:
            return entry.url
        kwargs = {name: str(self.objects[attr].pk) for name, attr in (entry.kwargs or {}).items()}
        kwargs.update(entry.literal or {})
        if key.startswith("beheer/"):  # an unnamed pattern: fill in its route
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: kwargs[str(m.group(1))], key)
        else:
            path = reverse(key, kwargs=kwargs)
        return f"{path}?{entry.query}" if entry.query else path


def build_world() -> World:
    c: Any = build_cast()
    manager_2 = f.make_user("manager.two@example.test", first_name="Mats", is_staff=True)
    f.add_membership(manager_2, Role.MANAGER, location=c.location2)
    two_orgs = f.make_user("two.orgs@example.test", first_name="Tim", is_staff=True)
    f.add_membership(two_orgs, Role.STAFF, group=c.group_a)
    f.add_membership(two_orgs, Role.ADMIN, organisation=c.other_org)
    root = User.objects.create_superuser("root@example.test", f.PASSWORD, first_name="Roos")
    nest: Any = build_nest()
    nest_conversation = Conversation.objects.create(
        child=nest.child_x, date=today(), participants="Vader", recorded_by=nest.consultant
    )
    from axes.models import AccessAttempt, AccessFailureLog
    from axes.models import AccessLog as AxesAccessLog
    from django.contrib.auth.models import Group as AuthGroup

    conversation = Conversation.objects.create(
        child=c.child_a, date=today(), participants="Moeder", recorded_by=c.coach
    )
    agreement = Agreement.objects.create(
        conversation=conversation, text="Samen lezen", who="Moeder", follow_up=today() + datetime.timedelta(weeks=4)
    )
    childminder_home = f.make_location(c.org, "Gastouder Anja Visser", kind=Location.Kind.CHILDMINDER)
    f.make_child(f.make_group(childminder_home, "Bij Anja"), "Lotte")
    f.add_membership(c.coach, Role.COACH, location=childminder_home)
    axes_fields = {"user_agent": "test", "ip_address": "127.0.0.1", "username": "x", "http_accept": "*/*"}
    objects = {
        "org": c.org,
        "location1": c.location1,
        "group_a": c.group_a,
        "child_a": c.child_a,
        "staff_a": c.staff_a,
        "observation": make_observation(c.child_a, c.staff_a),
        "conversation": conversation,
        "agreement": agreement,
        "childminder_home": childminder_home,
        "visit": Visit.objects.create(location=childminder_home, consultant=c.coach, visited_on=today()),
        "access_log_row": access_log_record(
            user=c.manager,
            child=c.child_a,
            action=AccessLog.Action.VIEW,
            weeks=8,
            period_start=today() - datetime.timedelta(weeks=8),
            period_end=today(),
        ),
        "child_content_type": ContentType.objects.get_for_model(Child),
        "second_factor_reset": SecondFactorReset.objects.create(user=c.manager, reset_by=c.admin),
        "staff_a_passkey": Passkey.objects.create(
            user=c.staff_a, credential_id=b"matrix", public_key=b"matrix", name="Telefoon"
        ),
        "batch_export": _ready_export(c),
        "task_result": DBTaskResult.objects.get(id=build_batch_export.enqueue(str(uuid.UUID(int=0))).id),
        "retention_consent": RetentionConsent.objects.create(
            child=c.child_a, kind=RetentionConsent.Kind.HAND_OVER, given_on=today(), until=today()
        ),
        "practice_round": PracticeRound.objects.create(user=c.staff_a),
        "invitation": Invitation.objects.create(  # of a person who never logs in here (a login uses it)
            user=f.add_membership(User.objects.create_user("invited@example.test"), Role.STAFF, group=c.group_a).user,
            organisation=c.org,
            invited_by=c.admin,
            sent_at=timezone.now(),
            valid_until=timezone.now() + datetime.timedelta(days=7),
        ),
        "draft_handout": draft_for(child=c.child_a, user=c.coach, weeks=12),
        "ready_handout": _ready_handout(c),
        "pending_import": PendingImport.objects.create(
            organisation=c.org,
            uploaded_by=c.admin,
            filename="export.csv",
            data=b"Kindnummer;Voornaam;Achternaam;Geboortedatum;Locatie;Groep;Startdatum\r\n"
            b"K1;Lars;Meer;2024-03-14;Locatie Een;Groep A;2024-09-01\r\n",
        ),
        "sso_config": SingleSignOn.objects.create(
            organisation=c.org,
            slug="linde",
            button_label="Linde-account",
            issuer="https://login.example.test/linde",
            client_id="observaties",
            client_secret="geheim",
        ),
        "tablet": register_tablet(group=c.group_a, name="Tablet A", by=c.manager)[0],
        "auth_group": AuthGroup.objects.create(name="unused"),
        "axes_attempt": AccessAttempt.objects.create(
            **axes_fields, path_info="/inloggen/", get_data="", post_data="", failures_since_start=1
        ),
        "axes_log": AxesAccessLog.objects.create(**axes_fields, path_info="/inloggen/"),
        "axes_failure": AccessFailureLog.objects.create(**axes_fields, path_info="/inloggen/"),
        "nest_home_x": nest.home_x,
        "nest_group_x": nest.group_x,
        "nest_child_x": nest.child_x,
        "nest_observation": make_observation(nest.child_x, nest.gastouder_x),
        "nest_conversation": nest_conversation,
        "nest_agreement": Agreement.objects.create(
            conversation=nest_conversation,
            text="Samen zingen",
            who="Vader",
            follow_up=today() + datetime.timedelta(weeks=4),
        ),
    }
    people = {
        STAFF_A: c.staff_a,
        STAFF_B: c.staff_b,
        MANAGER: c.manager,
        MANAGER_2: manager_2,
        COACH: c.coach,
        ADMIN: c.admin,
        OTHER_ADMIN: c.other_admin,
        TWO_ORGS: two_orgs,
        ROOT: root,
        GASTOUDER: nest.gastouder_x,
        CONSULTANT: nest.consultant,
        OTHER_GASTOUDER: nest.gastouder_y,
    }
    clients = {ANON: Client()}
    for name, user in people.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return World(objects=objects, clients=clients, people=people)


def _ready_handout(c: Any) -> PreparedHandout:
    draft = draft_for(child=c.child_a, user=c.staff_a, weeks=12)
    handout = stored_handout(draft)
    return draft_finish(child=c.child_a, user=c.staff_a, draft_pk=draft.pk, handout=handout, left_out=set())


def _ready_export(c: Any) -> BatchExport:
    export = BatchExport.objects.create(
        requested_by=c.manager,
        organisation=c.org,
        group=c.group_a,
        weeks=12,
        status=BatchExport.Status.DONE,
        total=1,
        done=1,
        children=[c.child_a.pk],
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    export.file.save("matrix.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    return export


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One database setup for the whole module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def outcome_of(response) -> Outcome:
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("admin:login")):
        return ADMIN_LOGIN
    if location.startswith(reverse("login")):
        return LOGIN
    return REDIRECT


@pytest.mark.parametrize("key", list(MATRIX))
def test_permission_matrix(world, key):
    entry = MATRIX[key]
    url = world.url(key, entry)
    wrong = []
    for user in USERS:
        for method in ("get", "post"):
            with transaction.atomic():  # whatever a request writes goes with it
                response = getattr(world.clients[user], method)(url)
                transaction.set_rollback(True)
            expected, got = entry.expect(user, method), outcome_of(response)
            if got != expected:
                wrong.append(f"{method.upper()} {url} as {user}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("key", list(BUREAU_MATRIX))
def test_bureau_permission_matrix(world, key):
    entry = BUREAU_MATRIX[key]
    url = world.url(key, entry)
    wrong = []
    for user in BUREAU_USERS:
        for method in ("get", "post"):
            with transaction.atomic():
                response = getattr(world.clients[user], method)(url)
                transaction.set_rollback(True)
            expected, got = entry.expect(user, method), outcome_of(response)
            if got != expected:
                wrong.append(f"{method.upper()} {url} as {user}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


# --- the second step: a password alone opens no page (issue 23) ----------------------------
# Everyone here whose role needs the second step (staff/second_factor.py), signed in through the login
# form with the password alone, walks every URL pattern of the project (MATRIX and SKIPPED alike): a GET
# goes to the second step (with the page as `next`), any other method is refused (403). Only these stay
# open (OPEN_URL_NAMES): the second step's own pages (the code or passkey, setting up an app or a
# passkey), the log-in and log-out pages, the language switch and the browser's icon.
NEEDS_SECOND_STEP = (MANAGER, MANAGER_2, COACH, ADMIN, TWO_ORGS, OTHER_ADMIN, ROOT, CONSULTANT)
OPEN_BEFORE_SECOND_STEP = frozenset(
    {
        "second_step",
        "second_step_setup",
        "second_step_passkey_setup",
        "login",
        "logout",
        "admin:login",
        "admin:logout",
        "set_language",
        "favicon",
    }
)
SKIPPED_KWARGS = {"sso_login": {"slug": "linde"}, "sso_start": {"slug": "linde"}}


@pytest.fixture(scope="module")
def password_only(world) -> dict[str, Client]:
    """A client per person of NEEDS_SECOND_STEP, signed in with the password alone."""
    from staff.second_factor import SECOND_STEP_DONE

    clients = {}
    for name in NEEDS_SECOND_STEP:
        client = Client()
        response = client.post(reverse("login"), {"username": world.people[name].email, "password": f.PASSWORD})
        assert response.status_code == 302, name
        assert SECOND_STEP_DONE not in client.session
        clients[name] = client
    return clients


def test_the_open_pages_before_the_second_step_are_these_and_exist():
    from staff.second_factor import OPEN_URL_NAMES

    assert OPEN_URL_NAMES == OPEN_BEFORE_SECOND_STEP
    assert set(url_patterns()) >= OPEN_URL_NAMES


@pytest.mark.parametrize("key", sorted((set(MATRIX) | set(SKIPPED)) - OPEN_BEFORE_SECOND_STEP))
def test_a_password_alone_reaches_no_page_before_the_second_step(world, password_only, key):
    entry = MATRIX.get(key)
    url = world.url(key, entry) if entry else reverse(key, kwargs=SKIPPED_KWARGS.get(key))
    second_step = reverse("second_step")
    wrong = []
    for name, client in password_only.items():
        for method in ("get", "head", "post", "put", "delete"):
            with transaction.atomic():
                response = getattr(client, method)(url)
                transaction.set_rollback(True)
            if method in ("get", "head"):
                if response.status_code != 302 or not response["Location"].startswith(f"{second_step}?next="):
                    wrong.append(f"{method.upper()} {url} as {name}: {response.status_code}")
            elif response.status_code != 403:
                wrong.append(f"{method.upper()} {url} as {name}: {response.status_code}, not 403")
    assert not wrong, "\n".join(wrong)
    # The session still waits for the second step: nothing on the way passed it.
    assert all(client.get(reverse("home"))["Location"].startswith(second_step) for client in password_only.values())
