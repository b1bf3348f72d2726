"""Children, their placements in groups and their mentors."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.db.models.functions import NullIf
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from children.names import join_name
from organisations.calendar import today
from organisations.models import Group, Location, Organisation
from staff.access import (
    conversation_reading_groups,
    conversation_recording_groups,
    loggable_groups,
    readable_groups,
    user_access,
    visible_groups,
    visible_organisations,
)
from staff.models import Membership
from staff.scope import AnyUser

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def months_between(born: datetime.date, on: datetime.date) -> int:
    """Whole months from `born` to `on` (negative before birth)."""
    months = (on.year - born.year) * 12 + (on.month - born.month)
    if on.day < born.day:
        months -= 1
    return months


def age_label(months: int) -> str:
    """'2 jaar en 3 maanden' style age in the active language."""
    years, rest = divmod(max(months, 0), 12)
    if years == 0:
        return ngettext("%(m)d month", "%(m)d months", rest) % {"m": rest}
    if rest == 0:
        return ngettext("%(y)d year", "%(y)d years", years) % {"y": years}
    return _("%(years)s and %(months)s") % {
        "years": ngettext("%(y)d year", "%(y)d years", years) % {"y": years},
        "months": ngettext("%(m)d month", "%(m)d months", rest) % {"m": rest},
    }


def _placed_today_in(groups: QuerySet[Group]) -> Q:
    """The child has a placement running today in one of `groups`."""
    placements = Placement.objects.running_on(today()).filter(child=OuterRef("pk"), group__in=groups)
    return Q(Exists(placements))


class ChildRules:
    """Each rule about what a user may do with a child, as a condition on the Child row, built from
    the user's scope through the accessors of staff/access.py. The Child queryset filters with them
    (`visible_to`, `observable_by`, ...) and `child_access` (children/access.py) reads them all for
    one child in one query: one spelling of each rule, so a list and a single answer cannot differ.
    A rule is built when first asked for: a list that filters by one rule builds only that one."""

    def __init__(self, user: AnyUser) -> None:
        self.user = user

    @classmethod
    def of(cls, user: AnyUser) -> ChildRules:
        return cls(user)

    @cached_property
    def visible(self) -> Q:
        """The basic facts: name, age, placements, mentor."""
        return _visible(self.user)

    @cached_property
    def observable(self) -> Q:
        """The observations: timeline, summary, its PDFs. Placed today where the user reads."""
        return _placed_today_in(readable_groups(self.user))

    @cached_property
    def loggable(self) -> Q:
        """Logging an observation: placed today where the user logs."""
        return _placed_today_in(loggable_groups(self.user))

    @cached_property
    def conversations_readable(self) -> Q:
        """The parent conversations, the parents' words included; the child's own mentor reads them
        too (while they read its observations)."""
        return self.observable & (self._mentored | _placed_today_in(conversation_reading_groups(self.user)))

    @cached_property
    def conversations_recordable(self) -> Q:
        """Recording a parent conversation; the child's own mentor records them too."""
        return self.observable & (self._mentored | _placed_today_in(conversation_recording_groups(self.user)))

    @cached_property
    def _mentored(self) -> Q:
        user = self.user
        mentor_id = user.pk if user is not None and user.is_authenticated else None
        return Q(Exists(Mentorship.objects.current().filter(child=OuterRef("pk"), mentor_id=mentor_id)))


def _visible(user: AnyUser) -> Q:
    """The children placed today in the groups where the user holds a membership, and every child of
    an organisation where they hold an organisation-wide role (all of them for a platform superuser)."""
    access = user_access(user)
    if access.sees_every_organisation:
        return Q(pk__isnull=False)
    return Q(organisation_id__in=access.whole_organisation_ids) | _placed_today_in(visible_groups(user))


class ChildQuerySet(models.QuerySet["Child"]):
    def placed_on(self, day: datetime.date, groups: Iterable[Group] | QuerySet[Group] | None = None) -> ChildQuerySet:
        """Children with a placement running on `day` (optionally in these groups)."""
        placements = Placement.objects.running_on(day)
        if groups is not None:
            placements = placements.filter(group__in=groups)
        return self.filter(id__in=placements.values("child_id"))

    def record_changed(self) -> int:
        """Move these children's `record_version` on, inside the caller's transaction: what is written
        about them changed (an entry, a conversation, a prepared handout, their facts). The number moved."""
        return self.update(record_version=F("record_version") + 1)

    def visible_to(self, user: AnyUser) -> ChildQuerySet:
        """Children whose basic facts the user may see (ChildRules.visible)."""
        return self.filter(ChildRules.of(user).visible)

    def managed_by(self, user: AnyUser) -> ChildQuerySet:
        """Children whose records the user sets up: those of the organisations they manage
        (the administration). Working in a group of another organisation adds none."""
        return self.filter(organisation__in=visible_organisations(user))

    def observable_by(self, user: AnyUser) -> ChildQuerySet:
        """Children whose observations the user may read: placed today in a group they read."""
        return self.filter(ChildRules.of(user).observable)

    def loggable_by(self, user: AnyUser) -> ChildQuerySet:
        """Children the user may log observations for: placed today in a group they log in."""
        return self.filter(ChildRules.of(user).loggable)

    def conversations_readable_by(self, user: AnyUser) -> ChildQuerySet:
        """Children whose parent conversations (the parents' words included) the user may read: the
        roles that read them at the child's place (ROLE_RULES: manager, coach) and the child's mentor.
        The group's staff read only the agreements meant for them, never the parents' words."""
        return self.filter(ChildRules.of(user).conversations_readable)

    def conversations_recordable_by(self, user: AnyUser) -> ChildQuerySet:
        """Children whose parent conversations the user may record (ROLE_RULES: coach; the mentor)."""
        return self.filter(ChildRules.of(user).conversations_recordable)


class FormOfAddress(models.TextChoices):
    """How the texts for parents refer to the child after its first name."""

    NAME = "name", _("only the first name")
    HE = "he", _("he")
    SHE = "she", _("she")


# The languages a handout and a report for parents can be printed in (the translation catalogues).
PARENT_LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]


class Child(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="children", verbose_name=_("organisation")
    )
    first_name = models.CharField(_("first name"), max_length=100)
    tussenvoegsel = models.CharField(
        _("surname prefix"),
        max_length=20,
        blank=True,
        help_text=_('Between first and last name, such as "de" or "van der"; lists sort by the last name without it.'),
    )
    last_name = models.CharField(_("last name"), max_length=100)
    # The planning system's number of the child (Kindnummer): how an import recognises it again.
    external_id = models.CharField(
        _("child number"),
        max_length=50,
        blank=True,
        help_text=_("The child's number in the planning system, filled in by the import."),
    )
    date_of_birth = models.DateField(_("date of birth"))
    form_of_address = models.CharField(
        _("form of address"),
        max_length=4,
        choices=FormOfAddress.choices,
        default=FormOfAddress.NAME,
        help_text=_("How texts for the parents refer to the child: he, she, or only by first name."),
    )
    parents_language = models.CharField(
        _("language of the parents"),
        max_length=8,
        choices=PARENT_LANGUAGES,
        default="nl",
        help_text=_("The language of the handout and the report for the parents."),
    )

    # Moves on with every write about the child (`ChildQuerySet.record_changed`: an entry written, changed
    # or removed, a conversation, a prepared handout made ready, the child's own facts, its placements
    # and mentors), in the same transaction: a PDF drawn at one version is that version's
    # (reports/pdf_cache.py). Never set by hand; not in the audit trail.
    record_version = models.BigIntegerField(default=0, db_default=0, editable=False)

    objects = ChildQuerySet.as_manager()
    # The audit trail (privacy/ reads it); the table keeps the name it was made with in the privacy app.
    history = HistoricalRecords(table_name="privacy_historicalchild", excluded_fields=["record_version"])

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        # Dutch style: by last name without the tussenvoegsel ("Vries, Sem de" under V). The group's
        # own lists (day view, mentor list, overviews) order by first name explicitly.
        ordering = ["last_name", "first_name", "tussenvoegsel", "pk"]
        indexes = [models.Index(fields=["organisation", "last_name", "first_name"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~Q(external_id=""),
                name="child_external_id_unique_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(form_of_address__in=FormOfAddress.values), name="child_form_of_address_valid"
            ),
            models.CheckConstraint(
                condition=Q(parents_language__in=[code for code, _name in PARENT_LANGUAGES]),
                name="child_parents_language_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A change of the child's facts moves `record_version` on; the row is written without it, so an
        older copy of the child never sets it back."""
        if self._state.adding:
            super().save(*args, **kwargs)
            return
        fields = kwargs.pop("update_fields", None)
        if fields is None:
            fields = [f.name for f in self._meta.concrete_fields if not f.primary_key]
        super().save(*args, update_fields=[name for name in fields if name != "record_version"], **kwargs)
        Child.objects.filter(pk=self.pk).record_changed()

    @property
    def full_name(self) -> str:
        """As the name reads: "Sem de Vries"."""
        return join_name(self.first_name, self.tussenvoegsel, self.last_name)

    @property
    def surname(self) -> str:
        """The last name as it reads after the first name: "de Vries"."""
        return join_name(self.tussenvoegsel, self.last_name)

    @staticmethod
    def full_name_expression() -> Func:
        """`full_name` in SQL, for a search or a list that reads names without the rows."""
        return Func(
            Value(" "),
            F("first_name"),
            NullIf(F("tussenvoegsel"), Value("")),
            F("last_name"),
            function="CONCAT_WS",
            output_field=models.CharField(),
        )

    def age_in_months(self, on: datetime.date | None = None) -> int:
        return months_between(self.date_of_birth, on or today())

    def age_label(self, on: datetime.date | None = None) -> str:
        return age_label(self.age_in_months(on))

    def cared_for_at_childminder_home(self, on: datetime.date | None = None) -> bool:
        """Whether the child is cared for at a childminder's home (on `on`, today by default): a child of a
        childminder agency (every place of one is a childminder's home), or placed at a childminder's home.
        Then one person, the gastouder, writes what is observed: the texts say so, not "the staff"."""
        if self.organisation.is_agency:
            return True
        return (
            Placement.objects.running_on(on or today())
            .filter(child=self, group__location__kind=Location.Kind.CHILDMINDER)
            .exists()
        )

    def clean(self) -> None:
        if self.date_of_birth and self.date_of_birth > today():
            raise ValidationError({"date_of_birth": _("The date of birth cannot be in the future.")})


class ChangesChildRecord(models.Model):
    """A row about a child that belongs to what is written about it (a placement, a mentorship): saving
    or deleting one moves the child's `record_version` on."""

    child_id: int

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        Child.objects.filter(pk=self.child_id).record_changed()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        child_id = self.child_id
        deleted = super().delete(*args, **kwargs)
        Child.objects.filter(pk=child_id).record_changed()
        return deleted


def _child_of(row: Placement | Mentorship) -> Child | None:
    """The row's child, also an unsaved one (the admin's add page validates the rows with it)."""
    try:
        return row.child
    except Child.DoesNotExist:
        return None


class PlacementQuerySet(models.QuerySet["Placement"]):
    def running_on(self, day: datetime.date) -> Self:
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)


class Placement(ChangesChildRecord):
    """A child's place in a group from a start date, until an optional end date (inclusive)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="placements", verbose_name=_("child"))
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="placements", verbose_name=_("group"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    objects = PlacementQuerySet.as_manager()
    history = HistoricalRecords(table_name="privacy_historicalplacement")

    MAX_OPEN = 2

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="placement_dates_in_order",
            ),
            models.UniqueConstraint(
                fields=["child", "group"], condition=Q(end_date__isnull=True), name="placement_one_open_per_group"
            ),
        ]
        indexes = [models.Index(fields=["group", "start_date", "end_date"])]

    def __str__(self) -> str:
        return f"{self.child} – {self.group}"

    def overlaps(self, other: Placement) -> bool:
        far = datetime.date.max
        return self.start_date <= (other.end_date or far) and other.start_date <= (self.end_date or far)

    def clean(self) -> None:
        errors: list[StrOrPromise] = []
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
        child = _child_of(self)
        if not (child and child.organisation_id and child.date_of_birth and self.group_id and self.start_date):
            return  # the child's own form names what is missing
        if self.group.location.organisation_id != child.organisation_id:
            raise ValidationError({"group": _("This group belongs to another organisation.")})
        if self.start_date < child.date_of_birth:
            errors.append(_("A placement cannot start before the child's date of birth."))
        others = [p for p in Placement.objects.filter(child_id=self.child_id).exclude(pk=self.pk)]
        if any(p.group_id == self.group_id and self.overlaps(p) for p in others):
            errors.append(_("This child already has a placement in this group in that period."))
        if sum(1 for p in others if self.overlaps(p)) >= self.MAX_OPEN:
            errors.append(_("A child can have at most two placements at the same time."))
        if self.group.location.is_childminder_home:
            errors.extend(self._childminder_home_errors())
        if errors:
            raise ValidationError(errors)

    def _childminder_home_errors(self) -> list[StrOrPromise]:
        """At most six children placed at once at a childminder's home: this child and five others.
        (A child may be with two childminders, on different days: two placements at once, MAX_OPEN.)"""
        others = Placement.objects.filter(group_id=self.group_id).exclude(child_id=self.child_id)
        rows = others.values_list("child_id", "start_date", "end_date")
        if most_children_at_once(self.start_date, self.end_date, rows) < Group.CHILDMINDER_MAX_CHILDREN:
            return []
        return [
            _("A childminder's home has at most %(count)d children at once; it is full in that period.")
            % {"count": Group.CHILDMINDER_MAX_CHILDREN}
        ]


def most_children_at_once(
    start: datetime.date,
    end: datetime.date | None,
    placements: Iterable[tuple[object, datetime.date, datetime.date | None]],
) -> int:
    """The most other children placed on one day from `start` to `end` (open: no end), from `placements`
    (child, start, end) in one group. The count only rises on a day a placement starts, so those days do."""
    far = datetime.date.max
    overlapping = [(child, s, e) for child, s, e in placements if s <= (end or far) and start <= (e or far)]
    days = {start} | {s for _child, s, _e in overlapping if s > start}
    return max(
        (len({child for child, s, e in overlapping if s <= day <= (e or far)}) for day in days),
        default=0,
    )


class MentorshipQuerySet(models.QuerySet["Mentorship"]):
    def current(self) -> Self:
        """The mentorships that run now: the open one of each child (one at most, a constraint);
        ending a mentorship hands the child over."""
        return self.filter(end_date__isnull=True)


class Mentorship(ChangesChildRecord):
    """A staff member who is the child's mentor from a start date."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="mentorships", verbose_name=_("child"))
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentorships", verbose_name=_("mentor")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    objects = MentorshipQuerySet.as_manager()
    history = HistoricalRecords(table_name="privacy_historicalmentorship")

    class Meta:
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="mentorship_dates_in_order",
            ),
            models.UniqueConstraint(fields=["child"], condition=Q(end_date__isnull=True), name="mentorship_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} – {self.child}"

    def clean(self) -> None:
        child = _child_of(self)
        if child is None or not self.mentor_id or not child.organisation_id:
            return
        works_there = Membership.objects.filter(user_id=self.mentor_id, organisation_id=child.organisation_id)
        if not works_there.exists():
            raise ValidationError({"mentor": _("The mentor must work in the child's organisation.")})
