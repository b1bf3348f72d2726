"""The entry kit: the mechanics every dated record about a child shares.

Observations and parent conversations use it, and so does whatever record comes next. One kit per
kind of record (`EntryKit(Model, author=..., words=...)`, in that record's services) gives:

- the submission key: one key per rendered form, so a double click, a resubmitted form or two
  requests at once create one record (`create_once`, with the record's rules as a `check` that
  returns a `CheckedRecord`: its own fields and its rows);
- the edit window: only the author, and only for OBSERVATION_EDIT_DAYS × 24 hours of elapsed time
  after saving (`can_change`);
- the version claim: a change or removal made over someone else's is refused (`change`, `remove`,
  both through `claim_version`);
- the child's `record_version`: every record created, changed or removed moves it on in the same
  transaction (a cached PDF of the child is drawn again, reports/pdf_cache.py);
- the date checks: a date is given, not in the future, not before the child's date of birth
  (`check_date`); a record adds its own (an observation: the observer's group that day);
- the length messages (`check_length`);
- for the pages: `EntryForm` (the hidden key or version, the service's messages beside their fields)
  and `entry_form`, the one new/edit view step (bind, validate, one service call).

Who changed what is kept by django-simple-history: its middleware names the logged-in user of the
request; without a request, staff.history.changes_by(user). Nothing here sets it by hand.

Records are models with `child`, an author field, `submission_key` (unique), `version` and
`created_at`; the messages come in each record's own words (Dutch articles differ: "de observatie",
"het gesprek").
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from children.models import Child
from organisations.calendar import today
from staff.models import User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Errors = dict[str, list[str]]  # messages per field name (or another key the form maps) or NON_FIELD_ERRORS

M = TypeVar("M", bound=models.Model)
FormT = TypeVar("FormT", bound="EntryForm")
R = TypeVar("R")


class _Record(Protocol):
    """The fields of a record the kit reads and moves on."""

    pk: Any
    child_id: int
    version: int
    created_at: datetime.datetime


def _record(entry: models.Model) -> _Record:
    return cast(_Record, entry)


class _Removable(Protocol):
    removed_at: datetime.datetime | None


def _removed(entry: models.Model) -> bool:
    return cast(_Removable, entry).removed_at is not None


class EditConflict(ValidationError):
    """Someone else saved the record after this form was opened."""


@dataclass(frozen=True)
class EntryWords:
    """What the person at the screen reads, in the record's own words (gettext_lazy strings)."""

    missing_date: StrOrPromise
    future_date: StrOrPromise
    form_used: StrOrPromise  # the submission key belongs to another child's or person's record
    closed: StrOrPromise  # with %(days)d: not the author, removed, or the window has passed
    conflict: StrOrPromise


def add_error(errors: Errors, key: str, message: StrOrPromise) -> None:
    errors.setdefault(key, []).append(str(message))


def check_length(
    errors: Errors, key: str, text: str, *, label: StrOrPromise, max_length: int, required: bool = False
) -> None:
    """A missing required text, or one longer than `max_length`, gets a message that names it."""
    if required and not text:
        add_error(errors, key, _("%(label)s: please fill this in.") % {"label": label})
    if len(text) > max_length:
        add_error(
            errors,
            key,
            _("%(label)s is %(length)d characters long; at most %(max)d are allowed.")
            % {"label": label, "length": len(text), "max": max_length},
        )


def edit_window() -> datetime.timedelta:
    """How long after saving the author may change a record: elapsed time, 7 × 24 hours whatever the
    clocks do in between (tests/test_clock_days.py)."""
    return datetime.timedelta(days=settings.OBSERVATION_EDIT_DAYS)


def within_edit_window(saved_at: datetime.datetime, *, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) - saved_at <= edit_window()


class CheckedRecord(Protocol):
    """A record that passed every rule of its kind, as it is saved (built by its service's check)."""

    def fields(self) -> dict[str, Any]:
        """The record's own fields (not the child, author, key or version)."""
        ...

    def write_rows(self, entry: Any) -> None:
        """Make the record's rows (an observation's ratings, a conversation's agreements) these."""
        ...


class EntryKit(Generic[M]):
    """The mechanics of one kind of record. `author` names its foreign key to the person who made it
    (the only one who may change it); a `removable` record has `removed_at` and `removed_by`."""

    def __init__(self, model: type[M], *, author: str, words: EntryWords, removable: bool = False) -> None:
        self.model = model
        self.author = author
        self.words = words
        self.removable = removable

    # --- the date -------------------------------------------------------------------------------

    def check_date(self, errors: Errors, date: datetime.date | None, *, child: Child) -> bool:
        """Given, not in the future, not before the child was born; False (with the message) if not."""
        if date is None:
            message = self.words.missing_date
        elif date > today():
            message = self.words.future_date
        elif date < child.date_of_birth:
            message = _("The date cannot be before the child's date of birth.")
        else:
            return True
        errors["date"] = [str(message)]
        return False

    # --- creating, once per submission key ------------------------------------------------------

    def existing_submission(self, key: uuid.UUID, *, child: Child, author: User) -> M | None:
        """The record saved with this form's key, if any; refused when it is another child's or person's."""
        existing = self.model._default_manager.filter(submission_key=key).first()
        if existing is None:
            return None
        if _record(existing).child_id != child.pk or getattr(existing, f"{self.author}_id") != author.pk:
            raise ValidationError({NON_FIELD_ERRORS: [str(self.words.form_used)]})
        return existing

    def create_once(
        self, key: uuid.UUID | None, *, child: Child, author: User, check: Callable[[], CheckedRecord]
    ) -> tuple[M, bool]:
        """(record, created): `check()` applies the rules (ValidationError), then the record is saved with
        `key` and its rows, all or nothing. A key that was saved before (a double click, a resubmitted
        form, a twin request that won the race) returns that record and writes nothing."""
        key = key or uuid.uuid4()
        existing = self.existing_submission(key, child=child, author=author)
        if existing is not None:
            return existing, False
        checked = check()
        try:
            with transaction.atomic():  # a savepoint when called inside a transaction
                entry = self.model._default_manager.create(
                    child=child, submission_key=key, **{self.author: author}, **checked.fields()
                )
                checked.write_rows(entry)
                Child.objects.filter(pk=child.pk).record_changed()
        except IntegrityError:  # the unique key: the twin request saved first
            existing = self.existing_submission(key, child=child, author=author)
            if existing is None:
                raise
            return existing, False
        return entry, True

    # --- changing and removing ------------------------------------------------------------------

    def can_change(self, entry: M, user: User, *, now: datetime.datetime | None = None) -> bool:
        """Only the author, only while the record is not removed, and only within the edit window."""
        return (
            getattr(entry, f"{self.author}_id") == user.pk
            and not (self.removable and _removed(entry))
            and within_edit_window(_record(entry).created_at, now=now)
        )

    def claim_version(self, entry: M, editor: User, version: int) -> None:
        """Move the version on with a conditional UPDATE (inside the caller's transaction); refuse a
        change by someone who may not, and one based on a version someone else has saved over."""
        if not self.can_change(entry, editor):
            closed = str(self.words.closed) % {"days": settings.OBSERVATION_EDIT_DAYS}
            raise ValidationError({NON_FIELD_ERRORS: [closed]})
        live = {"removed_at__isnull": True} if self.removable else {}
        claimed = self.model._default_manager.filter(pk=entry.pk, version=version, **live)
        if not claimed.update(version=F("version") + 1):
            raise EditConflict({NON_FIELD_ERRORS: [str(self.words.conflict)]})
        _record(entry).version = version + 1

    def _save_change(
        self, entry: M, editor: User, version: int, fields: dict[str, Any], rows: Callable[[M], None]
    ) -> M:
        with transaction.atomic():
            self.claim_version(entry, editor, version)
            for name, value in fields.items():
                setattr(entry, name, value)
            entry.save(update_fields=[*fields, "version", "updated_at"])
            rows(entry)
            Child.objects.filter(pk=_record(entry).child_id).record_changed()
        return entry

    def change(self, entry: M, *, editor: User, version: int, checked: CheckedRecord) -> M:
        """Save the checked fields and rows over the version the form was opened on, all or nothing."""
        return self._save_change(entry, editor, version, checked.fields(), checked.write_rows)

    def remove(self, entry: M, *, editor: User, version: int) -> M:
        """Soft removal: the record leaves every page but stays, with who removed it, in the history."""
        removal = {"removed_at": timezone.now(), "removed_by": editor}
        return self._save_change(entry, editor, version, removal, lambda entry: None)


# --- the pages --------------------------------------------------------------------------------------


class EntryForm(forms.Form):
    """The form of a record. `service_fields` are handed to the service as they were cleaned; a subclass
    adds what it builds (`service_arguments`) and may map a service's message key to a field
    (`service_error_field`)."""

    service_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "date" in self.fields:  # the browser's date picker stops at today too
            self.fields["date"].widget.attrs["max"] = today().isoformat()

    def service_arguments(self) -> dict[str, Any]:
        """The arguments of the service call: the record's fields, and the submission key or version."""
        mechanics = [name for name in ("submission_key", "version") if name in self.fields]
        return {name: self.cleaned_data[name] for name in (*self.service_fields, *mechanics)}

    def service_error_field(self, key: str) -> str | None:
        """The field a service message with this key stands beside (None: on top of the form)."""
        return key if key in self.fields else None

    def add_service_errors(self, error: ValidationError) -> None:
        """Show the service's messages beside the fields they are about."""
        for key, messages in error.message_dict.items():
            field = None if key == NON_FIELD_ERRORS else self.service_error_field(key)
            for message in messages:
                self.add_error(field, message)


class NewEntryForm(EntryForm):
    """A new record: the submission key, one per rendered form."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class ChangeEntryForm(EntryForm):
    """A change (or removal) of a record: the version the form was opened on."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def entry_form(
    request: HttpRequest,
    form_class: type[FormT],
    *,
    initial: Callable[[], dict[str, Any]],
    save: Callable[..., R],
    **form_kwargs: Any,
) -> tuple[FormT, R | None]:
    """The new/edit view's form. GET: unbound, filled with `initial()`. POST: bound, and when its shape is
    right, `save(**form.service_arguments())`, the one service call. Returns the form and what `save`
    returned: None when the form goes back to the person (the service's messages beside their fields)."""
    if request.method != "POST":
        return form_class(initial=initial(), **form_kwargs), None
    form = form_class(request.POST, **form_kwargs)
    if not form.is_valid():
        return form, None
    try:
        return form, save(**form.service_arguments())
    except ValidationError as error:
        form.add_service_errors(error)
        return form, None
