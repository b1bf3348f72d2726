"""Organisations, their locations (centres and childminders' homes) and groups: the bottom floor.

Nothing here knows about people, children or observations. Who may see which of
these records is decided one floor up, in `staff/access.py`.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Kind(models.TextChoices):
        """A centre organisation runs locations with groups and several staff per group; a gastouderbureau
        links parents to childminders (gastouders), each working alone at home with at most six children,
        and its consultants visit them. Which roles fit which kind: ROLE_RULES (staff/models.py)."""

        CENTRE = "centre", _("childcare organisation")
        AGENCY = "agency", _("childminder agency")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CENTRE)
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

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_agency(self) -> bool:
        return self.kind == self.Kind.AGENCY


class Location(models.Model):
    class Kind(models.TextChoices):
        CENTRE = "centre", _("childcare centre")
        CHILDMINDER = "childminder", _("childminder's home")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="locations", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CENTRE)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="location_name_unique_per_organisation"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_childminder_home(self) -> bool:
        return self.kind == self.Kind.CHILDMINDER

    def clean(self) -> None:
        if self.organisation_id and self.organisation.is_agency and not self.is_childminder_home:
            raise ValidationError({"kind": _("The places of a childminder agency are childminders' homes.")})


class Group(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="groups", verbose_name=_("location"))
    name = models.CharField(_("name"), max_length=200)
    min_age_months = models.PositiveSmallIntegerField(_("youngest age (months)"), default=0)
    max_age_months = models.PositiveSmallIntegerField(_("oldest age (months)"), default=48)

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

    def __str__(self) -> str:
        return self.name

    # At most six children at once at a childminder's home (the Wet kinderopvang): the child and five others.
    CHILDMINDER_MAX_CHILDREN = 6

    def clean(self) -> None:
        """A childminder's home keeps one list of children: its one group."""
        location = getattr(self, "location", None) if self.location_id else None
        if location is not None and location.is_childminder_home:
            others = Group.objects.filter(location=location).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(
                    {"location": _("A childminder's home has one group, the childminder's children: it has one.")}
                )

    @property
    def age_range_label(self) -> str:
        return _("%(low)s to %(high)s months") % {"low": self.min_age_months, "high": self.max_age_months}
