"""/api/user/: the original Mock-Interviewer frontend's account endpoints."""

from django.urls import path

from accounts.compat import CompatLoginApi, CompatLogoutApi, CompatRegisterApi

urlpatterns = [
    path("register/", CompatRegisterApi.as_view(), name="compat-register"),
    path("login/", CompatLoginApi.as_view(), name="compat-login"),
    path("logout/", CompatLogoutApi.as_view(), name="compat-logout"),
]
