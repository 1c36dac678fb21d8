"""/api/progress/: the caller's scores over time."""

from django.urls import path

from interviews import apis

urlpatterns = [
    path("", apis.ProgressApi.as_view(), name="progress"),
]
