"""Interview reads and owner edits. The list at "" and the turn endpoints are chat's (chat/urls.py)."""

from django.urls import path

from interviews import apis

urlpatterns = [
    path("<int:interview_id>/", apis.InterviewDetailApi.as_view(), name="interview-detail"),
    path("<int:interview_id>/messages/", apis.InterviewMessagesApi.as_view(), name="interview-messages"),
]
