"""/api/feed/: the public, read-only feed of published interviews."""

from django.urls import path

from interviews import apis

urlpatterns = [
    path("", apis.FeedListApi.as_view(), name="feed-list"),
    path("<int:interview_id>/", apis.FeedDetailApi.as_view(), name="feed-detail"),
]
