"""Password reset links."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator

from staff.models import User


class ActiveUserTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset tokens, void for an inactive account: a link mailed before an admin switched the
    account off sets no password afterwards (Django's own check looks at password and last login only)."""

    def check_token(self, user: User | None, token: str | None) -> bool:
        if user is None or not user.is_active:
            return False
        return super().check_token(user, token)


reset_token_generator = ActiveUserTokenGenerator()
