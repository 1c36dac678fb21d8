"""The bank's topics, for clients that offer them when starting an interview."""

from django.urls import path

from interviews import apis

urlpatterns = [path("", apis.TopicListApi.as_view(), name="topic-list")]
