"""The demo's second factor: every demo login whose role needs one (manager, coach, admin) gets an
authenticator app with one known secret, DEMO_SECRET. Add it to an app on your phone (type the key), or
print the code of the moment with `python manage.py demo_code`."""

from __future__ import annotations

import base64
import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.access import members_of, user_access

DEMO_SECRET = "DEMODEMODEMODEMODEMODEMODEMODEMO"  # base32, as an authenticator app takes it


def demo_key_hex() -> str:
    return base64.b32decode(DEMO_SECRET).hex()


def demo_code(at: float | None = None) -> str:
    """The six digits an app with DEMO_SECRET shows at `at` (now)."""
    totp = TOTP(base64.b32decode(DEMO_SECRET))
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def seed_demo_second_factors(organisation_id: int) -> int:
    """The app for each demo login whose role needs a second factor and has none yet: how many made."""
    made = 0
    for user in members_of([organisation_id]):
        if user_access(user).needs_second_factor and not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(user=user, name="demo", key=demo_key_hex(), confirmed=True)
            made += 1
    return made
