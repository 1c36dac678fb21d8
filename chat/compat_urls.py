"""/api/chat/: the original Mock-Interviewer frontend's chat endpoint."""

from django.urls import path

from chat.compat import CompatChatApi

urlpatterns = [path("gpt/", CompatChatApi.as_view(), name="compat-chat")]
