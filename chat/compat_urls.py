"""/api/chat/: the original Mock-Interviewer frontend's chat endpoint."""

from django.urls import path, re_path

from chat.compat import CompatChatApi
from config.compat import compat_not_found

urlpatterns = [
    path("gpt/", CompatChatApi.as_view(), name="compat-chat"),
    re_path(r"^.+/$", compat_not_found),  # see accounts.compat_urls
]
