"""Password reset links, and the links of invitations (the same tokens, bound to the invitation)."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from staff.models import Invitation, User


class ActiveUserTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset tokens, void for an inactive account: a link mailed before an admin switched the
    account off sets no password afterwards (Django's own check looks at password and last login only)."""

    def check_token(self, user: User | None, token: str | None) -> bool:
        if user is None or not user.is_active:
            return False
        return super().check_token(user, token)


reset_token_generator = ActiveUserTokenGenerator()


class InvitationTokenGenerator(ActiveUserTokenGenerator):
    """The reset token of an invitation's link: Django's hash (the user's id, password hash, last login,
    e-mail) with the invitation's id, when it was sent and whether it was used. So the link works for an
    active account only, once (a password set or a login changes the hash; so does `used_at`), not after
    the invitation was sent again (a new `sent_at`) or withdrawn, and only until its `valid_until`
    (INVITATION_VALID_DAYS, instead of PASSWORD_RESET_TIMEOUT)."""

    key_salt = "staff.tokens.InvitationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        invitation = Invitation.objects.filter(user=user).first()
        state = "" if invitation is None else f"{invitation.pk}-{invitation.sent_at.isoformat()}-{invitation.used_at}"
        return f"{super()._make_hash_value(user, timestamp)}{state}"

    def check_token(self, user: User | None, token: str | None) -> bool:
        if user is None or not user.is_active or not token:
            return False
        invitation = Invitation.objects.filter(user=user).first()
        if invitation is None or not invitation.is_open:
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


invitation_token_generator = InvitationTokenGenerator()
