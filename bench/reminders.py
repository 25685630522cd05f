"""How long one reminder run takes for many members: `python manage.py bench_reminders`.

Everything is created inside a transaction that is rolled back, in a throwaway term far in the
future (so the real weeks stay out of it), with the in-memory email backend: nothing is left
behind and nothing is mailed.
"""

from __future__ import annotations

import secrets
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.test.utils import override_settings

from reviews.models import Review
from seminar import reminders
from seminar.models import ReviewerSlot, Term, Topic, User, Week

REVIEWERS_PER_TOPIC = 3


def _populate(members: int, now: datetime) -> str:
    """Members, two coming weeks and their roles; returns the tag in every bench address."""
    tag = secrets.token_hex(4)
    users = User.objects.bulk_create(
        [
            User(
                email=f"bench-{tag}-{i}@bench.invalid",
                name=f"bench {i}",
                password="!",  # unusable
                language="en" if i % 3 == 0 else "ko",
            )
            for i in range(members)
        ],
        batch_size=500,
    )
    term = Term.objects.create(name=f"bench {tag}", starts_on=now.date() - timedelta(days=30))
    # Two coming weeks: one inside the reviewers' 3-day window, one only in the weekly round.
    weeks = [
        Week.objects.create(
            term=term,
            number=n,
            starts_at=now + timedelta(days=days, hours=9),
            review_deadline=now + timedelta(days=days - 1, hours=14),
            place="bench",
        )
        for n, days in ((1, 2), (2, 5))
    ]
    group = REVIEWERS_PER_TOPIC + 1
    topics = Topic.objects.bulk_create(
        [
            Topic(
                week=weeks[t % 2],
                order=t // 2 + 1,
                title=f"Bench paper {t}",
                presenter=users[t * group],
            )
            for t in range(members // group)
        ]
    )
    slots = ReviewerSlot.objects.bulk_create(
        [
            ReviewerSlot(topic=topic, number=n + 1, reviewer=users[t * group + 1 + n])
            for t, topic in enumerate(topics)
            for n in range(REVIEWERS_PER_TOPIC)
        ],
        batch_size=1000,
    )
    # A third of the reviews are in already: those reviewers must not be mailed.
    Review.objects.bulk_create(
        [
            Review(
                slot=slot,
                author_id=slot.reviewer_id,
                status=Review.Status.SUBMITTED,
                submitted_at=now,
            )
            for slot in slots[::3]
        ],
        batch_size=1000,
    )
    return tag


def run_reminder_benchmark(members: int = 1000) -> dict:
    zone = ZoneInfo(settings.TIME_ZONE)
    # A Monday morning in 2099: daytime for everyone in the group's zone, no real weeks near.
    now = datetime(2099, 3, 2, 10, 0, tzinfo=zone)
    outbox = getattr(mail, "outbox", None)
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
        transaction.atomic(),
    ):
        tag = _populate(members, now)
        mail.outbox = []
        started = time.perf_counter()
        counts = reminders.run_reminders(now, weekly=True)
        elapsed = time.perf_counter() - started
        # Count the bench's own emails (the run also sends any real reminder still queued).
        emails = sum(1 for m in mail.outbox if f"bench-{tag}-" in m.to[0])
        transaction.set_rollback(True)
    if outbox is None:
        del mail.outbox
    else:
        mail.outbox = outbox
    return {
        "members": members,
        "database": connection.vendor,
        "emails": emails,
        "outcomes": {outcome.value: n for outcome, n in counts.items() if n},
        "reminders_s": round(elapsed, 3),
        "reminders_s_per_1000": round(elapsed * 1000 / max(members, 1), 3),
    }
