"""Throttles of the doors that take a password: login (API, original frontend, admin page),
registration, and the password change.

Login attempts count twice: per client address (password spraying across accounts) and per account
(guessing one password from many addresses). The per-account bucket is named by the username's
canonical key (accounts.usernames), so `KIWI1`, its fullwidth form and `kiwi1` spelt with a
dotless i spend the same attempts, and by a hash of it, so a 2 MB username costs a 64-character
cache key. When the address limit has already refused an attempt, the account's bucket is left
alone: an attacker who is throttled anyway must not be able to lock the account's owner out with
attempts that were never tried.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle

from accounts.usernames import username_key

# No username is longer than this (User.username); past it, more characters cannot change who is
# meant, so the name is cut before it is folded and hashed.
_USERNAME_BOUND = 150
# Set on a request whose attempt the address limit refused (LoginIpThrottle runs first).
_ADDRESS_REFUSED = "_login_address_refused"


def username_bucket(username: Any) -> str | None:
    """The per-account throttle identity of a typed username: a hash of its bounded canonical key.
    None when there is no usable name (the request fails validation anyway)."""
    if isinstance(username, int | float) and not isinstance(username, bool):
        username = str(username)  # JSON numbers are accepted as names, so they count too
    if not isinstance(username, str):
        return None
    key = username_key(username.strip()[:_USERNAME_BOUND])
    return hashlib.sha256(key.encode()).hexdigest() if key else None


class AddressThrottle(SimpleRateThrottle):
    """Counts requests per client address (X-Forwarded-For only behind NUM_PROXIES proxies)."""

    def get_cache_key(self, request: HttpRequest, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginIpThrottle(AddressThrottle):
    """Caps login attempts per client address. Must come before LoginUsernameThrottle."""

    scope = "login_ip"

    def allow_request(self, request: HttpRequest, view: Any) -> bool:
        allowed = super().allow_request(request, view)
        if not allowed:
            setattr(request, _ADDRESS_REFUSED, True)
        return allowed


class LoginUsernameThrottle(SimpleRateThrottle):
    """Caps login attempts per account, whatever address they come from."""

    scope = "login_username"

    def allow_request(self, request: HttpRequest, view: Any) -> bool:
        if getattr(request, _ADDRESS_REFUSED, False):
            return True  # refused already: this attempt must not spend the account's budget
        return super().allow_request(request, view)

    def get_cache_key(self, request: HttpRequest, view: Any) -> str | None:
        bucket = username_bucket(self.typed_username(request))
        return None if bucket is None else self.cache_format % {"scope": self.scope, "ident": bucket}

    def typed_username(self, request: HttpRequest) -> Any:
        # A DRF request parsed its body into `data`; the admin's login page posts a form.
        data = request.data if hasattr(request, "data") else request.POST
        return data.get("username") if hasattr(data, "get") else None


class PasswordChangeThrottle(LoginUsernameThrottle):
    """Old-password guesses on `POST /api/auth/password/` (someone holding a stolen access token)
    spend the same per-account budget as login attempts."""

    def typed_username(self, request: HttpRequest) -> Any:
        return request.user.get_username() if request.user.is_authenticated else None


class RegisterIpThrottle(AddressThrottle):
    scope = "register_ip"


def login_throttle_wait(request: HttpRequest) -> float | None:
    """For a login attempt outside DRF (the admin's login page): None when both limits allow it
    (and it is counted), else the seconds to wait. Shares the buckets of the API's login."""
    for throttle in (LoginIpThrottle(), LoginUsernameThrottle()):
        if not throttle.allow_request(request, None):
            return throttle.wait() or 1.0
    return None
