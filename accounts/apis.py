from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenRefreshView

from accounts.authentication import RefreshSerializer, session_tokens_issue
from accounts.models import User
from accounts.serializers import UserSerializer
from accounts.services import ValidationFailed, user_password_change, user_register
from accounts.throttles import LoginIpThrottle, LoginUsernameThrottle, PasswordChangeThrottle, RegisterIpThrottle
from config.errors import ApplicationError


class InvalidCredentials(ApplicationError):
    status_code = 401
    code = "invalid_credentials"
    default_message = "Invalid username or password."


def tokens_for(user: User) -> dict[str, str]:
    return session_tokens_issue(user=user)


def user_authenticate(request: Request, *, username: str, password: str) -> User:
    """Log in by username as a person reads it: case, compatibility forms and look-alike letters do
    not matter (the user model's manager finds users by canonical key; see accounts.usernames)."""
    user = authenticate(request, username=username.strip(), password=password)
    if user is None:
        raise InvalidCredentials()
    return user


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RegisterApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [RegisterIpThrottle]

    class InputSerializer(serializers.Serializer):
        username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)

    class OutputSerializer(serializers.Serializer):
        user = UserSerializer()
        access = serializers.CharField()
        refresh = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_register(**data.validated_data)
        body = self.OutputSerializer({"user": user, **tokens_for(user)}).data
        return Response(body, status=status.HTTP_201_CREATED)


class LoginApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginIpThrottle, LoginUsernameThrottle]

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)

    OutputSerializer = TokenPairSerializer

    @extend_schema(request=InputSerializer, responses={200: TokenPairSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_authenticate(request, **data.validated_data)
        return Response(self.OutputSerializer(tokens_for(user)).data)


class RefreshApi(TokenRefreshView):
    """simplejwt's refresh: rotates the refresh token and blacklists the old one; refuses the
    tokens of a session that a password change ended."""

    authentication_classes: list = []
    serializer_class = RefreshSerializer


class LogoutApi(APIView):
    class InputSerializer(serializers.Serializer):
        refresh = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token = RefreshToken(data.validated_data["refresh"])
        except TokenError as exc:
            raise ValidationFailed(
                "Invalid input: the refresh token is not valid.", details={"refresh": [str(exc)]}
            ) from exc
        if str(token.get("user_id")) != str(request.user.pk):
            # Someone else's token: refuse without saying whose it is.
            raise ValidationFailed(
                "Invalid input: the refresh token is not valid.", details={"refresh": ["Token is invalid."]}
            )
        token.blacklist()
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeApi(APIView):
    """Change the caller's password; every session of theirs ends, this one included (log in again)."""

    throttle_classes = [PasswordChangeThrottle]

    class InputSerializer(serializers.Serializer):
        old_password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
        new_password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user_password_change(user=request.user, **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    OutputSerializer = UserSerializer

    @extend_schema(responses={200: UserSerializer})
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(request.user).data)
