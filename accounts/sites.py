"""The admin site: Django's, with its login page throttled like the API's login.

The admin's login page is a door to the same accounts as `POST /api/auth/login/`, so it spends the
same per-address and per-account budgets (accounts.throttles). Over either, the page answers 429
with `Retry-After` and shows the login form with the reason, before any password is checked.
It is the default site (`accounts.apps.AdminConfig`), so every app's admin registers on it.
"""

from __future__ import annotations

import copy
import functools
import math

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse

from accounts.throttles import login_throttle_wait


class ThrottledLoginForm(AdminAuthenticationForm):
    """The admin's login form, refused before any password is checked: shows only `message`."""

    def __init__(self, *args, message: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.message = message

    def full_clean(self) -> None:
        self._errors = ErrorDict()
        self.cleaned_data = {}
        self.add_error(None, self.message)


class AdminSite(admin.AdminSite):
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.method != "POST":
            return super().login(request, extra_context)
        wait = login_throttle_wait(request)
        if wait is None:
            return super().login(request, extra_context)
        seconds = math.ceil(wait)
        # Django's own login page and context, with a form that shows why and checks nothing. A copy
        # of the site carries that form: the site itself is shared by every request.
        refusing = copy.copy(self)
        message = f"Too many login attempts. Try again in {seconds} seconds."
        refusing.login_form = functools.partial(ThrottledLoginForm, message=message)
        response = admin.AdminSite.login(refusing, request, extra_context)
        response.status_code = 429
        response["Retry-After"] = str(seconds)
        return response
