"""Issue 19: ONE visible-text rule (organisations/text.py) for every free-text field of every form.
Text made only of white space, zero-width, format and filler characters counts as empty: a
required field answers with Django's Dutch "Dit veld is verplicht." and saves nothing, an optional
one is stored as "". Before, a conversation took participants="\u200b\u200b" (required) and
parents_context="\u200b\u200b\ufeff"."""

import datetime
import unicodedata

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from access_log.forms import AccessLogFilterForm
from calibration.forms import PracticeForm
from children.models import Child
from conversations.forms import AgreementForm, EditConversationForm, NewConversationForm
from conversations.models import Conversation
from devices.forms import PasswordUnlockForm, PinSetForm, PinUnlockForm, TabletRegistrationForm
from devices.models import Tablet
from observations.forms import (
    DuoObservationForm,
    EditObservationForm,
    NewObservationForm,
    RemoveObservationForm,
    VisitEditForm,
    VisitForm,
    VisitPlanForm,
)
from observations.pillars import all_pillars
from organisations.calendar import today
from organisations.models import Location
from organisations.text import VisibleTextField, shows_nothing, visible_text
from reports.forms import PreparedHandoutForm
from reports.handout import HandoutSection, ParentHandout, Quote
from staff.forms import AdminLoginForm, EmailAuthenticationForm, OwnPasswordChangeForm, SecondStepForm
from staff.models import User
from staff.password_reset import EmailPasswordResetForm
from tests.house_plan import layers

pytestmark = pytest.mark.django_db

REQUIRED = "Dit veld is verplicht."
SHOWS_NOTHING = {
    "zero-width spaces": "\u200b\u200b",
    "zero-width and byte-order mark": "\u200b\u200b\ufeff",
    "word joiner": "\u2060",
    "no-break spaces": "\u00a0\u202f",
    "Hangul filler": "\u3164",
    "halfwidth Hangul filler": "\uffa0",
    "Hangul choseong and jungseong fillers": "\u115f\u1160",
    "soft hyphen": "\u00ad",
    "bidi isolates and marks": "\u2066\u200e\u2069\u200f",
    "ideographic space": "\u3000",
    "line and paragraph separators": "\u2028\u2029",
    "variation selector and combining grapheme joiner": "\ufe0f\u034f",
    "Mongolian vowel separator": "\u180e",
    "tags": "\U000e0041\U000e007f",
    "braille blank": "\u2800",
    "white space around zero-width": " \t\u200b\n\u200c\u200d ",
}

PROJECT_APPS = tuple(app for app in layers() if app != "pages")
READ_ONLY_ADMINS = {"access_log.AccessLog"}  # nothing to type in: no add, no change


@pytest.mark.parametrize("text", SHOWS_NOTHING.values(), ids=SHOWS_NOTHING.keys())
def test_text_that_shows_nothing_is_empty(text):
    assert shows_nothing(text) and visible_text(text) == ""


@pytest.mark.parametrize("category", ["Cc", "Cf", "Zs", "Zl", "Zp"])
def test_every_character_of_the_invisible_categories_shows_nothing(category):
    chars = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == category]
    assert chars and [f"U+{ord(c):04X}" for c in chars if not shows_nothing(c)] == []


@pytest.mark.parametrize(
    "text",
    ["Daan", "\u200bDaan", "\U0001f469\u200d\U0001f467", "\u202bשלום\u202c", "É", "·", "\u3164ㅎ", "-"],
)
def test_text_with_something_visible_is_kept_as_typed(text):
    assert not shows_nothing(text) and visible_text(f"  {text}\n") == text


# --- every form of the app, and its free-text fields ---------------------------------------------


def _admin_request(cast):
    request = RequestFactory().get("/beheer/")
    request.user = cast.admin
    return request


def _admin_form(label, change=False):
    def make(cast):
        model_admin = admin.site._registry[_model(label)]
        request = _admin_request(cast)
        obj = cast.admin if change else None
        return model_admin.get_form(request, obj)()

    return make


def _model(label):
    return next(model for model in admin.site._registry if model._meta.label == label)


def _admin_inline_form(label, inline_name):
    def make(cast):
        model_admin = admin.site._registry[_model(label)]
        request = _admin_request(cast)
        inline = next(i for i in model_admin.get_inline_instances(request) if type(i).__name__ == inline_name)
        return inline.get_formset(request).form()

    return make


def _prepared_handout_form(cast):
    """The prepare page's form (issue 21) of a small handout: an opening, one section, one question."""
    quote = Quote("r1", "Zwaaide en liep blij naar papa.", "november")
    section = HandoutSection("reunion", "Weer samen", ("Sem liet blij zien dat papa er was.",), (quote,), ())
    handout = ParentHandout(
        first_name="Sem",
        full_name="Sem Testmans",
        group="Groep A",
        mentor="Anna",
        period="november 2026",
        getting_to_know=False,
        intro=("Elke dag zien we hoe het met Sem gaat.",),
        good=(section,),
        noticed=(),
        to_watch="",
        not_enough="",
        questions=("Wat herkennen jullie van thuis?",),
    )
    return PreparedHandoutForm(handout=handout, left_out=set(), draft_pk=1, language="nl")


PILLAR_NOTES = [f"note_{p.code}" for p in all_pillars()]
# form: (how to make one, its free-text fields, its other text inputs: passwords, PINs, e-mail addresses)
FORMS = {
    "observation": (lambda c: NewObservationForm(child=c.child_a), ["note", *PILLAR_NOTES], []),
    "observation edit": (lambda c: EditObservationForm(child=c.child_a), ["note", *PILLAR_NOTES], []),
    "observation removal": (lambda c: RemoveObservationForm(), [], []),
    "practice round": (lambda c: PracticeForm(), [], []),  # chips only: no text to type
    "duo-observation": (
        lambda c: DuoObservationForm(children=Child.objects.all(), staff=User.objects.all()),
        [],
        [],
    ),
    "conversation": (lambda c: NewConversationForm(), ["participants", "parents_context"], []),
    "conversation edit": (lambda c: EditConversationForm(), ["participants", "parents_context"], []),
    "agreement": (lambda c: AgreementForm(), ["text", "who"], []),
    "home visit": (lambda c: VisitForm(), ["agreements"], []),
    "home visit edit": (lambda c: VisitEditForm(), ["agreements"], []),
    "next home visit": (lambda c: VisitPlanForm(), [], []),
    "tablet": (lambda c: TabletRegistrationForm(user=c.manager), ["name"], []),
    "PIN unlock": (lambda c: PinUnlockForm(), [], ["pin"]),
    "password unlock": (
        lambda c: PasswordUnlockForm(request=RequestFactory().post("/"), user=c.staff_a),
        [],
        ["password"],
    ),
    "PIN setting": (
        lambda c: PinSetForm(request=RequestFactory().post("/"), user=c.staff_a),
        [],
        ["password", "pin", "pin_again"],
    ),
    "password change": (
        lambda c: OwnPasswordChangeForm(c.staff_a, request=RequestFactory().post("/")),
        [],
        ["old_password", "new_password1", "new_password2"],
    ),
    "access-log filter": (lambda c: AccessLogFilterForm(user=c.admin), ["kind"], []),
    "prepared handout": (_prepared_handout_form, ["intro-0", "good-0-0", "questions-0"], []),
    "login": (lambda c: EmailAuthenticationForm(), [], ["username", "password"]),
    "administration's login": (lambda c: AdminLoginForm(), [], ["username", "password"]),
    "password reset": (lambda c: EmailPasswordResetForm(), [], ["email"]),
    "second step": (lambda c: SecondStepForm(), [], ["code"]),
}
# The administration's forms: every model admin of the app and its inlines (the access log is read-only).
ADMIN_FREE_TEXT = {
    "admin organisations.Organisation": ["name", "meldcode_text"],
    "admin organisations.Location": ["name"],
    "admin organisations.Group": ["name"],
    "admin staff.User": ["first_name", "last_name"],
    "admin staff.User change": ["first_name", "last_name"],
    "admin children.Child": ["first_name", "tussenvoegsel", "last_name", "external_id"],
    "admin privacy.RetentionConsent": ["note"],
    "admin staff.SingleSignOn": ["button_label"],
}
ADMIN_OTHER = {
    "admin staff.User": ["email", "password1", "password2"],
    "admin staff.User change": ["email"],
    # the provider's keys: copied, never read by people
    "admin staff.SingleSignOn": ["slug", "client_id", "client_secret"],
}


def _add_admin_form(name, make):
    FORMS[name] = (make, ADMIN_FREE_TEXT.get(name, []), ADMIN_OTHER.get(name, []))


for _model_class, _model_admin in admin.site._registry.items():
    _label = _model_class._meta.label
    if _model_class._meta.app_label not in PROJECT_APPS or _label in READ_ONLY_ADMINS:
        continue
    _add_admin_form(f"admin {_label}", _admin_form(_label))
    for _inline in _model_admin.inlines:
        _add_admin_form(f"admin {_label} {_inline.__name__}", _admin_inline_form(_label, _inline.__name__))
_add_admin_form("admin staff.User change", _admin_form("staff.User", change=True))
FIELDS = [(form, field) for form, (_make, text, _other) in FORMS.items() for field in text]


def _text_inputs(form):
    """The fields a person types text in (not dates, numbers, choices, hidden keys)."""
    return {
        name
        for name, field in form.fields.items()
        if isinstance(field, forms.CharField) and not isinstance(field, forms.UUIDField | forms.URLField)
    }


def _project_form_classes():
    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return {c for c in below(forms.BaseForm) if c.__module__.split(".")[0] in PROJECT_APPS}


def test_every_form_of_the_app_is_listed(cast):
    made = {type(make(cast)) for make, _text, _other in FORMS.values()}
    covered = {base for cls in made for base in cls.__mro__}
    assert {c.__qualname__ for c in _project_form_classes() - covered} == set()


@pytest.mark.parametrize("name", FORMS)
def test_every_text_input_of_every_form_is_listed(cast, name):
    make, text, other = FORMS[name]
    assert _text_inputs(make(cast)) == {*text, *other}


@pytest.mark.parametrize(("name", "field"), FIELDS, ids=[f"{form}-{field}" for form, field in FIELDS])
def test_every_free_text_field_counts_invisible_text_as_empty(cast, name, field):
    form_field = FORMS[name][0](cast).fields[field]
    assert isinstance(form_field, VisibleTextField)
    for text in SHOWS_NOTHING.values():
        if form_field.required:
            with pytest.raises(forms.ValidationError) as refused:
                form_field.clean(text)
            assert refused.value.messages == [REQUIRED], repr(text)
        else:
            assert form_field.clean(text) == "", repr(text)
    assert form_field.clean("  Moeder\u00a0en mentor ") == "Moeder\u00a0en mentor"


# --- through the pages --------------------------------------------------------------------------


def _conversation_data(**fields):
    data = {
        "date": today().isoformat(),
        "participants": "moeder, mentor",
        "parents_context": "",
        "afspraak-TOTAL_FORMS": "1",
        "afspraak-INITIAL_FORMS": "0",
        "afspraak-0-text": "",
        "afspraak-0-who": "",
        "submission_key": "5b0c5a4e-8d0c-4a55-9d1c-3f7e2b9a6c11",
    }
    data.update(fields)
    return data


def test_problem_19_a_conversation_of_invisible_participants_is_refused(cast, client_for):
    url = reverse("conversation_new", args=[cast.child_a.pk])
    response = client_for(cast.coach).post(
        url, _conversation_data(participants="\u200b\u200b", parents_context="\u200b\u200b\ufeff")
    )
    assert response.status_code == 200
    assert REQUIRED in response.content.decode()
    assert not Conversation.objects.exists()


def test_invisible_parents_words_and_agreement_rows_are_stored_as_nothing(cast, client_for):
    url = reverse("conversation_new", args=[cast.child_a.pk])
    data = _conversation_data(
        parents_context="\u200b\u200b\ufeff", **{"afspraak-0-text": "\u3164", "afspraak-0-who": "\u2060 "}
    )
    response = client_for(cast.coach).post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    conversation = Conversation.objects.get()
    assert conversation.parents_context == "" and not conversation.agreements.exists()


def test_an_agreement_of_invisible_text_with_a_date_asks_what_was_agreed(cast, client_for):
    url = reverse("conversation_new", args=[cast.child_a.pk])
    follow_up = (today() + datetime.timedelta(weeks=4)).isoformat()
    data = _conversation_data(
        **{"afspraak-0-text": "\u200b\ufeff", "afspraak-0-who": "mentor", "afspraak-0-follow_up": follow_up}
    )
    response = client_for(cast.coach).post(url, data)
    assert response.status_code == 200 and "Afspraak 1: schrijf op wat is afgesproken." in response.content.decode()
    assert not Conversation.objects.exists()


def test_a_tablet_needs_a_visible_name(cast, client_for):
    response = client_for(cast.manager).post(
        reverse("tablet_register"), {"group": cast.group_a.pk, "name": "\u3164\u3164"}
    )
    assert response.status_code == 200 and REQUIRED in response.content.decode()
    assert not Tablet.objects.exists()


def test_a_place_in_the_administration_needs_a_visible_name(cast, client_for):
    response = client_for(cast.admin).post(
        reverse("admin:organisations_location_add"),
        {"organisation": cast.org.pk, "name": "\u200b\u00a0\u2800", "kind": Location.Kind.CENTRE},
    )
    assert response.status_code == 200 and REQUIRED in response.content.decode()
    assert not Location.objects.filter(name__contains="\u200b").exists()


def test_an_invisible_search_in_the_access_log_filters_nothing(cast, client_for):
    client_for(cast.staff_a).get(reverse("child_detail", args=[cast.child_a.pk]))
    response = client_for(cast.admin).get(reverse("access_log"), {"kind": "\u200b\ufeff"})
    assert len(response.context["rows"]) == 1 and response.context["form"].cleaned_data["kind"] == ""
