"""/feed.atom: the newest public interviews as an Atom feed (django.contrib.syndication).

Same rule as the JSON feed: only published interviews that staff did not hide, usernames only
("Anonymous" when the owner chose it), never an e-mail address. Links are absolute.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import condition, require_safe

from interviews.models import Interview
from interviews.selectors import feed_list, feed_version
from interviews.serializers import public_username
from interviews.vocabulary import position_label

ATOM_ENTRIES = 30


def public_title(interview: Interview) -> str:
    label = position_label(interview.position)
    title = f"{label[0].upper()}{label[1:]} interview"
    return f"{title}: {interview.topic}" if interview.topic else title


class InterviewAtomFeed(Feed):
    feed_type = Atom1Feed
    title = "Mock interviews"
    subtitle = "The newest interviews their candidates chose to publish."

    def link(self) -> str:
        return reverse("feed-list")

    def feed_url(self) -> str:
        return reverse("feed-atom")

    def items(self) -> list[Interview]:
        return list(feed_list()[:ATOM_ENTRIES])

    def item_title(self, item: Interview) -> str:
        return public_title(item)

    def item_description(self, item: Interview) -> str:
        return item.preview_text or ""

    def item_link(self, item: Interview) -> str:
        return reverse("feed-detail", kwargs={"interview_id": item.pk})

    def item_author_name(self, item: Interview) -> str:
        return public_username(item)

    def item_pubdate(self, item: Interview) -> dt.datetime:
        return item.created_at

    def item_updateddate(self, item: Interview) -> dt.datetime:
        return item.updated_at

    def item_categories(self, item: Interview) -> list[str]:
        return [item.position, item.language]


def _version(request: HttpRequest) -> tuple[str, dt.datetime | None]:
    # Asked twice per request (ETag and Last-Modified); one aggregate query answers both.
    if not hasattr(request, "_feed_version"):
        request._feed_version = feed_version(interviews=feed_list())
    return request._feed_version


def _etag(request: HttpRequest) -> str:
    return _version(request)[0]


def _last_modified(request: HttpRequest) -> dt.datetime | None:
    return _version(request)[1]


# Conditional GET: a repeat read of an unchanged feed is a 304 without rendering it.
atom_feed = condition(etag_func=_etag, last_modified_func=_last_modified)(InterviewAtomFeed())


@require_safe  # the feed is read-only: writes are 405
def atom_feed_view(request: HttpRequest) -> HttpResponse:
    return atom_feed(request)
