"""/api/user/*: the original frontend's account endpoints, on top of the same services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.apis import LoginApi, RegisterApi, user_authenticate
from accounts.services import ValidationFailed, user_register
from accounts.throttles import LoginIpThrottle, LoginUsernameThrottle, RegisterIpThrottle
from accounts.tokens import CompatTokenAuthentication, compat_token_issue, compat_token_revoke
from config.compat import CompatApiView


class CompatMessageSerializer(serializers.Serializer):
    """The original backend's plain success body."""

    message = serializers.CharField()


def _message(text: str) -> dict:
    return CompatMessageSerializer({"message": text}).data


class CompatRegisterApi(CompatApiView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [RegisterIpThrottle]

    class InputSerializer(RegisterApi.InputSerializer):
        password2 = serializers.CharField(max_length=128, trim_whitespace=False, required=False)

        def validate(self, attrs: dict) -> dict:
            if "password2" in attrs and attrs.pop("password2") != attrs["password"]:
                raise serializers.ValidationError({"password2": "Passwords do not match."})
            return attrs

    @extend_schema(request=InputSerializer, responses={201: CompatMessageSerializer}, tags=["compat"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user_register(**data.validated_data)
        except ValidationFailed as exc:
            if "username" in exc.details:  # the original frontend expects 409 for a taken name
                return Response(_message("Username already exists."), status=status.HTTP_409_CONFLICT)
            raise
        return Response(_message("User registered successfully."), status=status.HTTP_201_CREATED)


class CompatLoginApi(CompatApiView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginIpThrottle, LoginUsernameThrottle]

    InputSerializer = LoginApi.InputSerializer

    class OutputSerializer(CompatMessageSerializer):
        Token = serializers.CharField()  # the original frontend reads this exact key

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer}, tags=["compat"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_authenticate(request, **data.validated_data)
        body = {"message": "User logged in successfully.", "Token": compat_token_issue(user=user)}
        return Response(self.OutputSerializer(body).data)


class CompatLogoutApi(CompatApiView):
    """Ends the session of the token sent, and only that one (the user's other browsers and JWT
    sessions live on)."""

    authentication_classes = [CompatTokenAuthentication]

    @extend_schema(request=None, responses={200: CompatMessageSerializer}, tags=["compat"])
    def post(self, request: Request) -> Response:
        compat_token_revoke(token=request.auth)
        return Response(_message("User logged out successfully."))

    @extend_schema(responses={200: CompatMessageSerializer}, tags=["compat"])
    def get(self, request: Request) -> Response:
        return self.post(request)
