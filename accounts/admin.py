from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from accounts.clock import local_today
from accounts.models import DailyUsage, User
from accounts.services import user_sessions_end


class PasswordChangeForm(AdminPasswordChangeForm):
    """Staff setting (or disabling) a user's password ends that user's sessions, as the API's
    password change does: User.save sets the token cut-off, and outstanding refresh tokens are
    blacklisted here."""

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=commit)
        if commit:
            user_sessions_end(user=user)
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    # Look-alike usernames are refused by User.clean(), which the add and change forms run.
    change_password_form = PasswordChangeForm
    list_display = ["username", "email", "is_staff", "daily_limit", "used_today", "interviews", "date_joined"]
    readonly_fields = ["interviews"]
    list_editable: list[str] = []
    search_fields = ["username", "email"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Daily quota", {"fields": ["daily_chat_limit"], "description": "Empty uses the site default."}),
        ("Interviews", {"fields": ["interviews"]}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # One subquery instead of one ledger query per row of the change list.
        today = DailyUsage.objects.filter(user=OuterRef("pk"), day=local_today()).values("used")[:1]
        return (
            super()
            .get_queryset(request)
            .annotate(used_today_value=Coalesce(Subquery(today, output_field=IntegerField()), Value(0)))
        )

    @admin.display(description="Daily limit", ordering="daily_chat_limit")
    def daily_limit(self, user: User) -> str:
        if user.daily_chat_limit is None:
            return f"{user.effective_daily_limit} (default)"
        return str(user.daily_chat_limit)

    @admin.display(description="Interviews")
    def interviews(self, user: User) -> str:
        # By URL name: accounts sits below interviews and does not import it.
        url = reverse("admin:interviews_interview_changelist") + f"?owner__id__exact={user.pk}"
        return format_html('<a href="{}">Interviews</a>', url)

    @admin.display(description="Used today", ordering="used_today_value")
    def used_today(self, user: User) -> int:
        return user.used_today_value


@admin.register(DailyUsage)
class DailyUsageAdmin(admin.ModelAdmin):
    list_display = ["day", "user", "used", "updated_at"]
    list_filter = ["day"]
    search_fields = ["user__username"]
    date_hierarchy = "day"
    list_select_related = ["user"]
    readonly_fields = ["user", "day", "used", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: DailyUsage | None = None) -> bool:
        # Deleting a row would silently hand the user a fresh day; edit the user's limit instead.
        return False
