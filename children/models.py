"""Organisations, locations, groups, children and their placements and mentors."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from staff.scope import scope_for


def today() -> datetime.date:
    """Today's date in the site's time zone (Europe/Amsterdam)."""
    return timezone.localdate()


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


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_for(user)
        if scope.all_organisations:
            return self
        return self.filter(id__in=scope.admin_organisation_ids)


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    meldcode_url = models.URLField(
        _("reporting code link"),
        blank=True,
        help_text=_("Where staff find the organisation's reporting code for domestic violence and child abuse."),
    )
    meldcode_text = models.TextField(
        _("reporting code text"),
        blank=True,
        max_length=2000,
        help_text=_("Short text shown with every summary: who to contact when worried about a child's safety."),
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class LocationQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_for(user)
        if scope.all_organisations:
            return self
        staff_locations = Group.objects.filter(id__in=scope.staff_group_ids).values("location_id")
        return self.filter(
            Q(id__in=scope.reader_location_ids)
            | Q(id__in=staff_locations)
            | Q(organisation_id__in=scope.admin_organisation_ids)
        )


class Location(models.Model):
    class Kind(models.TextChoices):
        CENTRE = "centre", _("childcare centre")
        CHILDMINDER = "childminder", _("childminder's home")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="locations", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CENTRE)

    objects = LocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="location_name_unique_per_organisation"),
        ]

    def __str__(self):
        return self.name


class GroupQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_for(user)
        if scope.all_organisations:
            return self
        return self.filter(
            Q(id__in=scope.staff_group_ids)
            | Q(location_id__in=scope.reader_location_ids)
            | Q(location__organisation_id__in=scope.admin_organisation_ids)
        )


class Group(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="groups", verbose_name=_("location"))
    name = models.CharField(_("name"), max_length=200)
    min_age_months = models.PositiveSmallIntegerField(_("youngest age (months)"), default=0)
    max_age_months = models.PositiveSmallIntegerField(_("oldest age (months)"), default=48)

    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["location__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="group_name_unique_per_location"),
            models.CheckConstraint(
                condition=Q(min_age_months__lte=F("max_age_months")), name="group_age_range_in_order"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def age_range_label(self) -> str:
        return _("%(low)s to %(high)s months") % {"low": self.min_age_months, "high": self.max_age_months}


class ChildQuerySet(models.QuerySet):
    def placed_on(self, day: datetime.date, groups=None):
        """Children with a placement running on `day` (optionally in these groups)."""
        placements = Placement.objects.running_on(day)
        if groups is not None:
            placements = placements.filter(group__in=groups)
        return self.filter(id__in=placements.values("child_id"))

    def visible_to(self, user):
        """Children whose basic facts the user may see: the children placed today in
        their groups or locations, or, for an organisation admin, all its children."""
        scope = scope_for(user)
        if scope.all_organisations:
            return self
        groups = Group.objects.filter(Q(id__in=scope.staff_group_ids) | Q(location_id__in=scope.reader_location_ids))
        return self.filter(
            Q(organisation_id__in=scope.admin_organisation_ids)
            | Q(id__in=Placement.objects.running_on(today()).filter(group__in=groups).values("child_id"))
        )

    def observable_by(self, user):
        """Children whose observations the user may read: placed today in one of
        their groups (staff) or locations (manager, coach). Admins manage records,
        they do not read observations."""
        scope = scope_for(user)
        groups = Group.objects.filter(Q(id__in=scope.staff_group_ids) | Q(location_id__in=scope.reader_location_ids))
        return self.placed_on(today(), groups=groups)

    def loggable_by(self, user):
        """Children the user may log observations for: placed today in one of their groups."""
        scope = scope_for(user)
        return self.placed_on(today(), groups=Group.objects.filter(id__in=scope.staff_group_ids))


class Child(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="children", verbose_name=_("organisation")
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["first_name", "last_name"]
        indexes = [models.Index(fields=["organisation", "last_name", "first_name"])]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_in_months(self, on: datetime.date | None = None) -> int:
        return months_between(self.date_of_birth, on or today())

    def age_label(self, on: datetime.date | None = None) -> str:
        return age_label(self.age_in_months(on))

    def clean(self):
        if self.date_of_birth and self.date_of_birth > today():
            raise ValidationError({"date_of_birth": _("The date of birth cannot be in the future.")})


class PlacementQuerySet(models.QuerySet):
    def running_on(self, day: datetime.date):
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)


class Placement(models.Model):
    """A child's place in a group from a start date, until an optional end date (inclusive)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="placements", verbose_name=_("child"))
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="placements", verbose_name=_("group"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    objects = PlacementQuerySet.as_manager()

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

    def __str__(self):
        return f"{self.child} – {self.group}"

    def overlaps(self, other: "Placement") -> bool:
        far = datetime.date.max
        return self.start_date <= (other.end_date or far) and other.start_date <= (self.end_date or far)

    def clean(self):
        errors = []
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
        if not (self.child_id and self.group_id and self.start_date):
            return
        if self.group.location.organisation_id != self.child.organisation_id:
            raise ValidationError({"group": _("This group belongs to another organisation.")})
        if self.start_date < self.child.date_of_birth:
            errors.append(_("A placement cannot start before the child's date of birth."))
        others = [p for p in Placement.objects.filter(child_id=self.child_id).exclude(pk=self.pk)]
        if any(p.group_id == self.group_id and self.overlaps(p) for p in others):
            errors.append(_("This child already has a placement in this group in that period."))
        if sum(1 for p in others if self.overlaps(p)) >= self.MAX_OPEN:
            errors.append(_("A child can have at most two placements at the same time."))
        if errors:
            raise ValidationError(errors)


class Mentorship(models.Model):
    """A staff member who is the child's mentor from a start date."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="mentorships", verbose_name=_("child"))
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentorships", verbose_name=_("mentor")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

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

    def __str__(self):
        return f"{self.mentor} – {self.child}"
