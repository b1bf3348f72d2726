"""The production refusal: without DJANGO_SECRET_KEY and with DEBUG off the app does not serve.

`require_secret_key()` runs when the WSGI app loads (what gunicorn imports) and as a deploy check
(`manage.py check --deploy`); commands that only read the models still run without a key.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.exceptions import ImproperlyConfigured

MISSING_SECRET_KEY = (
    "DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG off (production) the app refuses to start "
    "without a secret key of its own. Generate one with\n"
    "    python -c 'import secrets; print(secrets.token_urlsafe(50))'\n"
    "and set it in the environment as DJANGO_SECRET_KEY (keep it secret, the same on every app server). "
    "For development, set DJANGO_DEBUG=1 (make run does)."
)


def require_secret_key() -> None:
    if getattr(settings, "SECRET_KEY_MISSING", False):
        raise ImproperlyConfigured(MISSING_SECRET_KEY)


@register(Tags.security, deploy=True)
def secret_key_is_set(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    require_secret_key()
    return []
