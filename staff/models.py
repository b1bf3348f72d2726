"""Staff users and their memberships (who works where, in which role)."""

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person who logs in with their e-mail address."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["first_name", "last_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


class Role(models.TextChoices):
    STAFF = "staff", _("pedagogical staff member")
    MANAGER = "manager", _("location manager")
    COACH = "coach", _("pedagogical coach")
    ADMIN = "admin", _("organisation admin")


class Membership(models.Model):
    """One role of a user in one organisation, at a group (staff), a location
    (manager, coach) or the whole organisation (admin)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    organisation = models.ForeignKey(
        "children.Organisation", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    location = models.ForeignKey(
        "children.Location",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("location"),
    )
    group = models.ForeignKey(
        "children.Group",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("group"),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role=Role.STAFF, group__isnull=False, location__isnull=True)
                    | Q(role__in=[Role.MANAGER, Role.COACH], location__isnull=False, group__isnull=True)
                    | Q(role=Role.ADMIN, location__isnull=True, group__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation", "location", "group"],
                nulls_distinct=False,
                name="membership_unique",
            ),
        ]

    def __str__(self):
        where = self.group or self.location or self.organisation
        return f"{self.user} – {self.get_role_display()} – {where}"

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.role == Role.STAFF and not self.group_id:
            errors["group"] = _("A staff member belongs to a group.")
        if self.role in (Role.MANAGER, Role.COACH) and not self.location_id:
            errors["location"] = _("A manager or coach belongs to a location.")
        if self.role != Role.STAFF and self.group_id:
            errors["group"] = _("Only staff members belong to a group.")
        if self.role not in (Role.MANAGER, Role.COACH) and self.location_id:
            errors["location"] = _("Only managers and coaches belong to a location.")
        if self.group_id and self.group.location.organisation_id != self.organisation_id:
            errors["group"] = _("This group belongs to another organisation.")
        if self.location_id and self.location.organisation_id != self.organisation_id:
            errors["location"] = _("This location belongs to another organisation.")
        if errors:
            raise ValidationError(errors)
