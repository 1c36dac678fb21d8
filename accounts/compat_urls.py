"""/api/user/: the original Mock-Interviewer frontend's account endpoints."""

from django.urls import path, re_path

from accounts.compat import CompatLoginApi, CompatLogoutApi, CompatRegisterApi
from config.compat import compat_not_found

urlpatterns = [
    path("register/", CompatRegisterApi.as_view(), name="compat-register"),
    path("login/", CompatLoginApi.as_view(), name="compat-login"),
    path("logout/", CompatLogoutApi.as_view(), name="compat-logout"),
    # Ends in a slash so that a path missing its slash is still redirected to the right one.
    re_path(r"^.+/$", compat_not_found),
]
