from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from accounts.selectors import QuotaStatus, quota_status


class QuotaSerializer(serializers.Serializer):
    limit = serializers.IntegerField()
    used = serializers.IntegerField()
    remaining = serializers.IntegerField()
    resets_at = serializers.DateTimeField()


def quota_payload(status: QuotaStatus) -> dict:
    return QuotaSerializer(status).data


class UserSerializer(serializers.ModelSerializer):
    daily_chat_limit = serializers.IntegerField(source="effective_daily_limit", read_only=True)
    quota = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "email", "daily_chat_limit", "quota"]

    @extend_schema_field(QuotaSerializer)
    def get_quota(self, user: User) -> dict:
        return quota_payload(quota_status(user=user))
