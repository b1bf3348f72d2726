"""Passkeys (WebAuthn) as the second step at sign-in, beside the authenticator app (staff/second_factor.py
keeps the rule, the recovery codes and the middleware). The checks are py_webauthn's (`webauthn`, by Duo):
the challenge, the origin, the relying party's id, the signature, and a sign count that only goes up.

The challenge lives in the session, one for adding a passkey and one for signing in, and is used once:
the page that offers the passkey puts a fresh one in its options (`<script type="application/json">`,
read by static/js/passkey.js), and the form's answer takes it out again, whether it holds or not.

Relying party: its id is `WEBAUTHN_RP_ID` when set, else the host the request came to (Django checks
it against ALLOWED_HOSTS); the origins the browser may report are `WEBAUTHN_ORIGINS` when set, else this
request's scheme and host. A wrong answer counts in the login lockout as a wrong code does.
"""

from __future__ import annotations

import enum
import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.utils import timezone
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from staff import second_factor as sf
from staff.access import user_access
from staff.models import Passkey

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from staff.models import User

RP_NAME = "Gehechtheid in beeld"
REGISTRATION_CHALLENGE = "staff_passkey_registration_challenge"
AUTHENTICATION_CHALLENGE = "staff_passkey_authentication_challenge"
# What a browser's answer may not exceed (a passkey's answer is a few kilobytes at most).
MAX_ANSWER = 64 * 1024
BAD_ANSWER = (WebAuthnException, ValueError, TypeError, KeyError)


def rp_id(request: HttpRequest) -> str:
    configured: str | None = getattr(settings, "WEBAUTHN_RP_ID", None)
    return configured or split_domain_port(request.get_host())[0]


def expected_origins(request: HttpRequest) -> list[str]:
    configured: list[str] | None = getattr(settings, "WEBAUTHN_ORIGINS", None)
    return list(configured) if configured else [f"{request.scheme}://{request.get_host()}"]


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=bytes(key.credential_id), transports=[AuthenticatorTransport(t) for t in key.transports]
        )
        for key in Passkey.objects.filter(user=user)
    ]


def _as_data(options: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(options_to_json(options))
    return data


# --- adding a passkey -----------------------------------------------------------------------------


def registration_options(request: HttpRequest, user: User) -> dict[str, Any]:
    """The options for navigator.credentials.create(); the challenge goes into the session."""
    options = generate_registration_options(
        rp_id=rp_id(request),
        rp_name=RP_NAME,
        user_id=str(user.pk).encode(),
        user_name=user.email,
        user_display_name=user.get_full_name() or user.email,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED
        ),
    )
    request.session[REGISTRATION_CHALLENGE] = bytes_to_base64url(options.challenge)
    return _as_data(options)


def _transports(answer: str) -> list[str]:
    transports = parse_registration_credential_json(answer).response.transports or []
    return [str(transport.value) for transport in transports]


def add_passkey(request: HttpRequest, user: User, answer: str, name: str) -> Passkey | None:
    """The browser's answer to the options: a new passkey of this person. None: it does not hold
    (another challenge, origin or site, a passkey already known)."""
    challenge = request.session.pop(REGISTRATION_CHALLENGE, None)
    if not challenge or len(answer) > MAX_ANSWER:
        return None
    try:
        verified = verify_registration_response(
            credential=answer,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id(request),
            expected_origin=expected_origins(request),
        )
        transports = _transports(answer)
    except BAD_ANSWER:
        return None
    try:
        with transaction.atomic():
            return Passkey.objects.create(
                user=user,
                credential_id=verified.credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                transports=transports,
                name=name,
            )
    except IntegrityError:  # this credential is known already (another person's, or this one's)
        return None


# --- signing in with one --------------------------------------------------------------------------


def authentication_options(request: HttpRequest, user: User) -> dict[str, Any] | None:
    """The options for navigator.credentials.get(), for this person's passkeys; None without any."""
    allowed = _descriptors(user)
    if not allowed:
        return None
    options = generate_authentication_options(
        rp_id=rp_id(request), allow_credentials=allowed, user_verification=UserVerificationRequirement.PREFERRED
    )
    request.session[AUTHENTICATION_CHALLENGE] = bytes_to_base64url(options.challenge)
    return _as_data(options)


def _verified(request: HttpRequest, user: User, answer: str, challenge: str) -> bool:
    try:
        credential = parse_authentication_credential_json(answer)
        passkey = Passkey.objects.filter(user=user, credential_id=credential.raw_id).first()
        if passkey is None:  # removed, or another person's
            return False
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id(request),
            expected_origin=expected_origins(request),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except BAD_ANSWER:
        return False
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = timezone.now()
    passkey.save(update_fields=["sign_count", "last_used_at"])
    return True


def check_passkey(request: HttpRequest, user: User, answer: str) -> str:
    """The browser's answer with one of this person's passkeys (sf.CodeCheck). A wrong one counts in the
    login lockout like a wrong code; during a lockout every answer is refused."""
    if sf.locked_out(request, user):
        return sf.CodeCheck.LOCKED_OUT
    challenge = request.session.pop(AUTHENTICATION_CHALLENGE, None)
    if challenge and len(answer) <= MAX_ANSWER and _verified(request, user, answer, challenge):
        return sf.CodeCheck.RIGHT
    return sf.count_wrong(request, user)


# --- a person's own passkeys ----------------------------------------------------------------------


def passkeys_of(user: User) -> QuerySet[Passkey]:
    return Passkey.objects.filter(user=user)


class Removal(enum.Enum):
    REFUSED = "refused"  # the last second step of a role that needs one
    REMOVED = "removed"
    REMOVED_WITH_CODES = "removed with the recovery codes"  # it was the last second step


def remove_own_passkey(user: User, passkey: Passkey) -> Removal:
    """A person removes one of their passkeys (a lost or replaced phone). Refused when it is the last
    second step of one whose role needs one: an authenticator app or another passkey must stay. The person's
    passkeys are locked meanwhile, so two removals at once cannot take away both of the last two. With the
    last second step (of one whose role does not need one) the recovery codes go too: they open nothing
    now, and a passkey or app set up later comes with new ones, not with codes the person may have thrown away."""
    with transaction.atomic():
        others = [key.pk for key in passkeys_of(user).select_for_update() if key.pk != passkey.pk]
        last = not others and sf.confirmed_app(user) is None
        if last and user_access(user).needs_second_factor:
            return Removal.REFUSED
        passkeys_of(user).filter(pk=passkey.pk).delete()
        if last:
            sf.remove_recovery_codes(user)
    return Removal.REMOVED_WITH_CODES if last else Removal.REMOVED
