"""Staff users and their memberships (who works where, in which role)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organisations.calendar import numeric_moment
from organisations.models import Group, Location, Organisation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: Any) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person who logs in with their e-mail address."""

    username = None  # type: ignore[assignment]  # log in by e-mail: AbstractUser's username field removed
    email = models.EmailField(_("e-mail address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # An e-mail manager, not auth's UserManager (which creates users by username).
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]
    # The audit trail (privacy/ reads it), without the password hash; a login (only last_login changes)
    # writes no row (privacy/audit.py). The table keeps the name it was made with in the privacy app.
    history = HistoricalRecords(excluded_fields=["password", "last_login"], table_name="privacy_historicaluser")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["first_name", "last_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """How the app names a person: their full name, or their e-mail address when they gave none."""
        return self.display_name_of(self.first_name, self.last_name, self.email)

    @staticmethod
    def display_name_of(first_name: str, last_name: str, email: str) -> str:
        """The display name from the user's columns, for reads that fetch them without the user
        (`values()` over observations and memberships)."""
        return f"{first_name} {last_name}".strip() or email


class Role(models.TextChoices):
    STAFF = "staff", _("pedagogical staff member")
    MANAGER = "manager", _("location manager")
    COACH = "coach", _("pedagogical coach")
    ADMIN = "admin", _("organisation admin")
    GASTOUDER = "gastouder", _("childminder")
    CONSULTANT = "consultant", _("childminder agency consultant")


class ScopeLevel(models.TextChoices):
    """Where a membership holds: one group, one location, or the whole organisation."""

    GROUP = "group", _("group")
    LOCATION = "location", _("location")
    ORGANISATION = "organisation", _("organisation")


@dataclass(frozen=True)
class RoleRule:
    """What a role means: the level of its scope and what it may do there."""

    level: ScopeLevel
    reads_observations: bool  # reads the observations of the children placed at its place
    logs_observations: bool  # logs observations of the children placed at its place
    manages_records: bool  # sets up places, people, children and placements (the administration)
    reads_conversations: bool = False  # reads parent conversations of the children at its place
    records_conversations: bool = False  # records parent conversations of the children at its place
    registers_tablets: bool = False  # links and unlinks the shared tablets of the groups at its place
    reads_agreement: bool = False  # reads how well the observers at its place agree (the agreement page)
    coaches_observers: bool = False  # plans duo-observations and sees where observers drift apart there
    reads_staff_activity: bool = False  # reads the entry counts of the staff there by name (not just own and total)
    # the kinds of organisation the role exists in (Organisation.Kind): a centre's staff work in groups, a
    # gastouderbureau's childminders alone at home and its consultants support them
    organisation_kinds: frozenset[str] = frozenset({Organisation.Kind.CENTRE})
    works_at_childminder_homes: bool = False  # its place is a childminder's home (its group), nowhere else
    records_visits: bool = False  # visits the childminders' homes at its place and records those home visits
    # (a child's own mentor reads and records that child's conversations whatever the role)

    @property
    def needs_second_factor(self) -> bool:
        """Signs in with a second factor (an authenticator app): the role reaches more than one group
        (a location or the whole organisation). Staff of one group may set one up; tablets keep the PIN."""
        return self.level != ScopeLevel.GROUP


EVERY_KIND = frozenset(Organisation.Kind)
AGENCY_ONLY = frozenset({Organisation.Kind.AGENCY})

# The one table of roles. Adding a role: a line here and its Dutch name in Role;
# the membership constraint, Membership.clean() and the scope follow from it.
ROLE_RULES: dict[str, RoleRule] = {
    Role.STAFF: RoleRule(ScopeLevel.GROUP, reads_observations=True, logs_observations=True, manages_records=False),
    Role.MANAGER: RoleRule(
        ScopeLevel.LOCATION,
        reads_observations=True,
        logs_observations=False,
        manages_records=False,
        reads_conversations=True,
        registers_tablets=True,
        reads_agreement=True,
        reads_staff_activity=True,
        # a gastouderbureau's manager: a membership per childminder's home they oversee, as at locations
        organisation_kinds=EVERY_KIND,
    ),
    Role.COACH: RoleRule(
        ScopeLevel.LOCATION,
        reads_observations=True,
        logs_observations=False,
        manages_records=False,
        reads_conversations=True,
        records_conversations=True,
        reads_agreement=True,
        coaches_observers=True,
        reads_staff_activity=True,
        records_visits=True,
    ),
    Role.ADMIN: RoleRule(
        ScopeLevel.ORGANISATION,
        reads_observations=False,
        logs_observations=False,
        manages_records=True,
        organisation_kinds=EVERY_KIND,
    ),
    # A gastouderbureau's childminder: like the staff of a group, the one group of their own home.
    Role.GASTOUDER: RoleRule(
        ScopeLevel.GROUP,
        reads_observations=True,
        logs_observations=True,
        manages_records=False,
        organisation_kinds=AGENCY_ONLY,
        works_at_childminder_homes=True,
    ),
    # The bureau's consultant (bemiddelingsmedewerker): the coach's rights at each home they support,
    # one membership per childminder's home. (A home has one observer: no agreement page, no duo-observations.)
    Role.CONSULTANT: RoleRule(
        ScopeLevel.LOCATION,
        reads_observations=True,
        logs_observations=False,
        manages_records=False,
        reads_conversations=True,
        records_conversations=True,
        reads_staff_activity=True,
        records_visits=True,
        organisation_kinds=AGENCY_ONLY,
        works_at_childminder_homes=True,
    ),
}


def roles_in(kind: str) -> list[str]:
    """The roles that exist in an organisation of this kind (Organisation.Kind)."""
    return [str(role) for role, rule in ROLE_RULES.items() if kind in rule.organisation_kinds]


def roles_at(level: ScopeLevel) -> list[str]:
    return [str(role) for role, rule in ROLE_RULES.items() if rule.level == level]


def _scope_matches_role() -> Q:
    """A membership names exactly the place its role's level asks for."""
    return (
        Q(role__in=roles_at(ScopeLevel.GROUP), group__isnull=False, location__isnull=True)
        | Q(role__in=roles_at(ScopeLevel.LOCATION), location__isnull=False, group__isnull=True)
        | Q(role__in=roles_at(ScopeLevel.ORGANISATION), location__isnull=True, group__isnull=True)
    )


class Membership(models.Model):
    """One role of a user in one organisation, at the level its role asks for (ROLE_RULES):
    a group (staff), a location (manager, coach) or the whole organisation (admin)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    location = models.ForeignKey(
        Location,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("location"),
    )
    group = models.ForeignKey(
        Group,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("group"),
    )

    history = HistoricalRecords(table_name="privacy_historicalmembership")

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(name="membership_scope_matches_role", condition=_scope_matches_role()),
            models.UniqueConstraint(
                fields=["user", "role", "organisation", "location", "group"],
                nulls_distinct=False,
                name="membership_unique",
            ),
            # A childminder's home (its one group) has one childminder.
            models.UniqueConstraint(
                fields=["group"], condition=Q(role=Role.GASTOUDER), name="membership_one_gastouder_per_group"
            ),
        ]

    def __str__(self) -> str:
        where = self.group or self.location or self.organisation
        return f"{self.user} – {self.get_role_display()} – {where}"

    @property
    def rule(self) -> RoleRule | None:
        return ROLE_RULES.get(self.role)

    def clean(self) -> None:
        rule = self.rule
        if rule is None:
            return  # the field's own choices validation names the unknown role
        role = self.get_role_display()
        errors: dict[str, StrOrPromise] = {}
        needs_group, needs_location = rule.level == ScopeLevel.GROUP, rule.level == ScopeLevel.LOCATION
        if needs_group and not self.group_id:
            errors["group"] = _("A %(role)s belongs to a group: choose one.") % {"role": role}
        if needs_location and not self.location_id:
            errors["location"] = _("A %(role)s belongs to a location: choose one.") % {"role": role}
        if self.group_id and not needs_group:
            errors["group"] = _("A %(role)s does not belong to one group: leave the group empty.") % {"role": role}
        if self.location_id and not needs_location:
            errors["location"] = _("A %(role)s does not belong to one location: leave the location empty.") % {
                "role": role
            }
        if self.group is not None and self.group.location.organisation_id != self.organisation_id:
            errors["group"] = _("This group belongs to another organisation.")
        if self.location is not None and self.location.organisation_id != self.organisation_id:
            errors["location"] = _("This location belongs to another organisation.")
        errors.update(self._kind_errors(rule, role))
        if errors:
            raise ValidationError(errors)

    def _kind_errors(self, rule: RoleRule, role: StrOrPromise) -> dict[str, StrOrPromise]:
        """The role fits the organisation's kind, and a childminder's role their home (and one childminder a home)."""
        errors: dict[str, StrOrPromise] = {}
        organisation = self.organisation if self.organisation_id else None
        if organisation is not None and organisation.kind not in rule.organisation_kinds:
            errors["role"] = _("A %(role)s does not work in a %(kind)s.") % {
                "role": role,
                "kind": organisation.get_kind_display(),
            }
        location = self.group.location if self.group is not None else self.location
        if location is None or not rule.works_at_childminder_homes:
            return errors
        field = "group" if self.group is not None else "location"
        if not location.is_childminder_home:
            errors[field] = _("A %(role)s works at a childminder's home: choose one.") % {"role": role}
        elif self.role == Role.GASTOUDER and self.group is not None:
            others = Membership.objects.filter(role=Role.GASTOUDER, group=self.group).exclude(pk=self.pk)
            if others.exists():
                errors["group"] = _("This childminder's home already has its childminder.")
        return errors


class PasswordResetMail(models.Model):
    """When a password-reset mail went to a user: the reset form sends at most one per
    PASSWORD_RESET_MAIL_INTERVAL_MINUTES, so nobody can flood a known address."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("password-reset mail")
        verbose_name_plural = _("password-reset mails")

    def __str__(self) -> str:
        return f"{self.user} – {numeric_moment(self.sent_at)}"

    @classmethod
    def claim(cls, user: User) -> bool:
        """Record a mail to `user`, unless one went within the interval: True when this one may go.
        Two requests at once take turns on the user's row, so one mail goes; only the last is kept."""
        since = timezone.now() - datetime.timedelta(minutes=settings.PASSWORD_RESET_MAIL_INTERVAL_MINUTES)
        with transaction.atomic():
            list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))  # the lock
            if cls.objects.filter(user=user, sent_at__gte=since).exists():
                return False
            cls.objects.filter(user=user).delete()
            cls.objects.create(user=user)
        return True


class SingleSignOn(models.Model):
    """An organisation's own OpenID Connect provider (Microsoft Entra ID, Google Workspace, any
    standard one): its people sign in with their work account on /inloggen/<slug>/ (staff/sso.py).

    No history is kept of it and the client secret is never shown back (staff/admin.py): it is a
    credential, not a record."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="single_sign_on", verbose_name=_("organisation")
    )
    slug = models.SlugField(
        _("login address"),
        unique=True,
        help_text=_("The organisation's own login page is /inloggen/<this>/, e.g. /inloggen/kinderopvang-zon/."),
    )
    button_label = models.CharField(
        _("button label"), max_length=60, help_text=_('Shown as "Log in with …", e.g. Microsoft or Google.')
    )
    issuer = models.URLField(
        _("issuer"),
        help_text=_(
            "The provider's issuer address, e.g. https://login.microsoftonline.com/<tenant>/v2.0 or "
            "https://accounts.google.com. Its settings are read from <issuer>/.well-known/openid-configuration."
        ),
    )
    client_id = models.CharField(_("client ID"), max_length=255)
    client_secret = models.CharField(_("client secret"), max_length=512)
    enabled = models.BooleanField(_("single sign-on on"), default=True)
    password_login = models.BooleanField(
        _("password sign-in allowed"),
        default=True,
        help_text=_("Switch off to let this organisation's people sign in only through its own accounts."),
    )

    class Meta:
        verbose_name = _("single sign-on")
        verbose_name_plural = _("single sign-on")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.button_label})"

    def __repr__(self) -> str:  # never the secret
        return f"<SingleSignOn {self.pk} {self.slug}>"

    @classmethod
    def refusing_password_of(cls, user: User) -> SingleSignOn | None:
        """The sign-on of an organisation of `user` that switched password sign-in off, if any."""
        organisations = Membership.objects.filter(user=user).values("organisation")
        return (
            cls.objects.filter(organisation__in=organisations, enabled=True, password_login=False)
            .select_related("organisation")
            .order_by("pk")
            .first()
        )


class Invitation(models.Model):
    """The invitation of a person who has no password yet (made by hand in the administration, or by an
    import): a one-time link to choose one, valid until `valid_until` (INVITATION_VALID_DAYS). One per
    user; sending it again makes a new link and voids the old one (staff/invitations.py). Used once the
    password is set through it, or once the person signed in otherwise."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="invitation", verbose_name=_("user"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("invited by")
    )
    sent_at = models.DateTimeField(_("sent at"))
    valid_until = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.valid_until

    @property
    def is_open(self) -> bool:
        """Unused and still within its time: the link works (for an active account)."""
        return self.used_at is None and not self.is_expired


class SecondFactorReset(models.Model):
    """An admin removed a person's second factor (a lost phone): who, whose, when. The person sets
    it up again at their next sign-in (staff/second_factor.py `reset_second_factor`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    reset_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("reset by")
    )
    reset_at = models.DateTimeField(_("reset at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("second factor reset")
        verbose_name_plural = _("second factor resets")
        ordering = ["-reset_at"]

    def __str__(self) -> str:
        return f"{self.user} – {numeric_moment(self.reset_at)}"


class Passkey(models.Model):
    """A passkey (WebAuthn credential) as the second step at sign-in: the fingerprint, face or PIN of the
    person's phone or computer, or a security key (staff/passkeys.py). The public key only: the private
    key never leaves the device."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys", verbose_name=_("user"))
    credential_id = models.BinaryField(_("credential id"), max_length=1023, unique=True)
    public_key = models.BinaryField(_("public key"))
    sign_count = models.PositiveBigIntegerField(_("sign count"), default=0)
    transports = models.JSONField(_("transports"), default=list, blank=True)
    name = models.CharField(_("name"), max_length=60)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.user} – {self.name}"
