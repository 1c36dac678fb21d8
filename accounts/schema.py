"""OpenAPI description of accounts' authentication (loaded by AccountsConfig.ready: importing
drf-spectacular from accounts.authentication itself would import DRF's views while DRF is still
resolving its DEFAULT_AUTHENTICATION_CLASSES)."""

from config.schema import JWTScheme


class JWTAuthenticationScheme(JWTScheme):
    """accounts' JWT authentication is described as simplejwt's (drf-spectacular matches exact classes)."""

    target_class = "accounts.authentication.JWTAuthentication"
