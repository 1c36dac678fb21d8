"""/feed.atom: the public feed as Atom."""

from django.urls import path

from interviews.feed import atom_feed_view

urlpatterns = [path("", atom_feed_view, name="feed-atom")]
