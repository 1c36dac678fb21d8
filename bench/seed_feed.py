"""Seed the public feed: N public interviews with M messages in all, by bulk inserts through the ORM.

Run in a subprocess with the server's environment (DATABASE_URL), after migrate:

    DATABASE_URL=... python bench/seed_feed.py --interviews 10000 --messages 100000

The rows look like real finished interviews: 100 owners (every tenth interview anonymous), the five
positions and both languages in turn, creation times spread over the last 100 days, and per interview
an opening question, then answers and replies in turn.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.usernames import username_key  # noqa: E402
from interviews.models import Interview, Message  # noqa: E402

POSITIONS = ["ai", "be", "fe", "mobile", "general"]
TOPICS = {"ai": "machine learning", "be": "databases", "fe": "react", "mobile": "android", "general": "teamwork"}
BATCH = 5000


def seed(*, interviews: int, messages: int, owners: int = 100) -> None:
    per = max(1, messages // interviews)
    now = timezone.now()
    password = make_password(None)  # unusable: these owners never log in
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    username=f"feedowner{n}",
                    username_key=username_key(f"feedowner{n}"),
                    email=f"feedowner{n}@bench.example",
                    password=password,
                )
                for n in range(owners)
            ]
        )
    if not all(u.pk for u in users):  # SQLite before 3.35 does not return ids from bulk inserts
        users = list(User.objects.filter(username__startswith="feedowner").order_by("id"))
    step = dt.timedelta(days=100) / interviews
    for first in range(0, interviews, BATCH):
        with transaction.atomic():
            rows = []
            for n in range(first, min(first + BATCH, interviews)):
                position = POSITIONS[n % len(POSITIONS)]
                created = now - step * (interviews - n)
                rows.append(
                    Interview(
                        owner=users[n % owners],
                        position=position,
                        topic=TOPICS[position],
                        language="en" if n % 2 == 0 else "ko",
                        is_public=True,
                        is_anonymous=n % 10 == 0,
                        status=Interview.Status.FINISHED,
                        stage="closing",
                        asked=3,
                        plan={"technical": 2, "behavioural": 1, "personal": 0},
                        created_at=created,
                        finished_at=created + dt.timedelta(minutes=20),
                    )
                )
            made = Interview.objects.bulk_create(rows)
            if not all(i.pk for i in made):
                made = list(Interview.objects.filter(is_public=True).order_by("id")[first : first + len(rows)])
            batch = []
            for interview in made:
                for k in range(per):
                    assistant = k % 2 == 0
                    text = (
                        f"Question {k // 2 + 1} on {interview.topic}: how would you explain the trade-offs of "
                        "replication and sharding to a colleague, with an example from your work?"
                        if assistant
                        else "Replication copies the data for availability and read scaling; sharding splits "
                        "it to scale writes, at the cost of cross-shard queries and rebalancing."
                    )
                    batch.append(
                        Message(
                            interview=interview,
                            role=Message.Role.ASSISTANT if assistant else Message.Role.USER,
                            content=text,
                            stage="technical",
                            slot=k // 2,
                            act="question" if assistant else "",
                            created_at=interview.created_at + dt.timedelta(seconds=30 * k),
                        )
                    )
            Message.objects.bulk_create(batch, batch_size=BATCH)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()
    began = time.perf_counter()
    seed(interviews=args.interviews, messages=args.messages)
    if django.db.connection.vendor == "postgresql":
        with django.db.connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would have them in production
    print(
        f"seeded {args.interviews} public interviews, {args.messages} messages in {time.perf_counter() - began:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
