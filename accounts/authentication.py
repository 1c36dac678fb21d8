"""JWT sessions: issuing a token pair, and refusing every token of a session that a password change ended.

A password change sets `User.tokens_valid_after`; a JWT whose session began before that moment is
dead, access and refresh alike. "Began" is the `auth_time` claim (RFC 7519 NumericDate, with
microseconds) that `session_tokens_issue` writes at login and that simplejwt copies into every
access token and rotated refresh token of the session. `iat` alone would not do: it counts whole
seconds, so a token issued in the same second as the change, before it or after it, could not be
told apart. A token without `auth_time` (made by simplejwt directly) is judged by its `iat`, on the
safe side: issued in the second of the change, it counts as issued before.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt.authentication import JWTAuthentication as SimpleJWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken, Token

from accounts.models import User

AUTH_TIME_CLAIM = "auth_time"
SESSION_ENDED = _("Token is no longer valid: the password was changed since it was issued.")


def session_tokens_issue(*, user: User) -> dict[str, str]:
    """A new session for `user` (login, registration): `{"access": ..., "refresh": ...}`."""
    refresh = RefreshToken.for_user(user)
    refresh[AUTH_TIME_CLAIM] = refresh.current_time.timestamp()
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def session_ended(token: Token, user: User) -> bool:
    """Whether `token` belongs to a session of `user` that began before their last password change."""
    cutoff = user.tokens_valid_after
    if cutoff is None:
        return False
    began = token.get(AUTH_TIME_CLAIM, token.get("iat"))
    return not isinstance(began, int | float) or began < cutoff.timestamp()


class JWTAuthentication(SimpleJWTAuthentication):
    """simplejwt's `Authorization: Bearer <access>`, refusing (401 `token_not_valid`) an access token
    of a session that a password change ended. Costs no query beyond the user's own row."""

    def get_user(self, validated_token: Token) -> User:
        user = super().get_user(validated_token)
        if session_ended(validated_token, user):
            raise InvalidToken(SESSION_ENDED)
        return user


class RefreshSerializer(TokenRefreshSerializer):
    """simplejwt's refresh (rotation, blacklisting of the used token), refusing a refresh token of a
    session that a password change ended, or of a user who no longer exists."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        refresh = self.token_class(attrs["refresh"])  # signature, expiry, blacklist
        user = User.objects.filter(**{api_settings.USER_ID_FIELD: refresh.get(api_settings.USER_ID_CLAIM)}).first()
        if user is None:
            raise InvalidToken(_("Token is no longer valid: its user does not exist."))
        if session_ended(refresh, user):
            raise InvalidToken(SESSION_ENDED)
        return super().validate(attrs)
