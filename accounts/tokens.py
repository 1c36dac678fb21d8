"""Tokens of the original Mock-Interviewer frontend: issue, authenticate, revoke.

That frontend keeps the token from `POST /api/user/login/` in localStorage, sends it as
`Authorization: Token <key>` and cannot refresh it, so a compat token is an opaque key that lives
until logout or `COMPAT_TOKEN_DAYS` of disuse, not a 30-minute JWT. The key is shown once; only its
SHA-256 is stored, so a copy of the database opens no session. A token also dies when its user is
deactivated or changes password (`User.tokens_valid_after`). These tokens open only the
compatibility endpoints (their views name `CompatTokenAuthentication`); the main API takes JWTs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from accounts.models import CompatToken, User
from config.errors import ApplicationError

KEYWORD = "Token"
# Recording every request's use would write on every request; a minute is nothing against 30 days.
_TOUCH_EVERY = dt.timedelta(minutes=1)
_KEY_MAX_CHARS = 128  # keys are 43 characters; anything much longer is not one of ours


class CompatTokenInvalid(ApplicationError):
    status_code = 401
    code = "invalid_token"
    default_message = "Invalid token."


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _disused_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=settings.COMPAT_TOKEN_DAYS)


def compat_token_issue(*, user: User) -> str:
    """A new token for `user`; returns its key, which is not stored and cannot be shown again.

    The user's other tokens (other browsers) live on; those already dead of disuse are deleted here,
    so abandoned sessions do not pile up.
    """
    now = timezone.now()
    CompatToken.objects.filter(user=user, last_used_at__lt=_disused_before(now)).delete()
    key = secrets.token_urlsafe(32)
    CompatToken.objects.create(user=user, key_hash=_key_hash(key), last_used_at=now)
    return key


def compat_token_authenticate(*, key: str) -> CompatToken:
    """The live token with this key, with its user, its use recorded (at most once a minute).

    Raises CompatTokenInvalid for an unknown or revoked key, a key unused for COMPAT_TOKEN_DAYS, a
    key issued before the user's last password change, or an inactive user. A dead token is deleted.
    """
    if not key or len(key) > _KEY_MAX_CHARS:
        raise CompatTokenInvalid()
    token = CompatToken.objects.select_related("user").filter(key_hash=_key_hash(key)).first()
    if token is None:
        raise CompatTokenInvalid()
    now = timezone.now()
    cutoff = token.user.tokens_valid_after
    if token.last_used_at < _disused_before(now) or (cutoff is not None and token.created_at < cutoff):
        token.delete()
        raise CompatTokenInvalid("Your session has expired; log in again.", code="token_expired")
    if not token.user.is_active:
        raise CompatTokenInvalid("User inactive or deleted.")
    if now - token.last_used_at >= _TOUCH_EVERY:
        CompatToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def compat_token_revoke(*, token: CompatToken) -> None:
    """Log this token out: it stops working at once; the user's other sessions live on."""
    CompatToken.objects.filter(pk=token.pk).delete()


class CompatTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>` with a compat token; `request.auth` is the CompatToken row.

    Any other header is not ours (None), so the view answers 401 "credentials not provided".
    """

    def authenticate(self, request: Request) -> tuple[User, CompatToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: send `Token <token>`.")
        try:
            token = compat_token_authenticate(key=parts[1].decode())
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(CompatTokenInvalid.default_message) from exc
        except CompatTokenInvalid as exc:
            raise exceptions.AuthenticationFailed(exc.message, code=exc.code) from exc
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (with this challenge), not 403, when the header is missing.
        return KEYWORD


class CompatTokenScheme(OpenApiAuthenticationExtension):
    target_class = CompatTokenAuthentication
    name = "compatTokenAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>` with the token from POST /api/user/login/ (original frontend only).",
        }
