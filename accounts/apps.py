from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and quotas"

    def ready(self) -> None:
        from accounts import schema  # noqa: F401  (registers the OpenAPI authentication scheme)


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with accounts' site, whose login page is throttled (accounts.sites).
    Named in INSTALLED_APPS instead of "django.contrib.admin"."""

    default = False  # "accounts" alone still means AccountsConfig
    default_site = "accounts.sites.AdminSite"
