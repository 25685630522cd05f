"""Two workers (or a task that runs twice at once) still send each reminder once: PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from seminar import reminders
from seminar.models import SentReminder
from seminar.services import make_organizer
from tests.factories import ReviewerSlotFactory, TopicFactory, UserFactory, WeekFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks under real concurrency: PostgreSQL"
    ),
]

SEOUL = ZoneInfo("Asia/Seoul")
DEADLINE = datetime(2026, 12, 8, 18, tzinfo=SEOUL)
NOW = DEADLINE - timedelta(days=3)  # Saturday 18:00: reviewers' 3-day and presenters' 7-day


def in_parallel(count: int, work: Callable[[], object]) -> list[object]:
    """Run `work` in `count` threads released at the same instant, each on its own connection."""
    barrier = threading.Barrier(count)
    results: list[object] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(work())
        except BaseException as exc:  # surfaced in the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_concurrent_runs_send_one_email_per_recipient_and_kind(mailoutbox):
    make_organizer(UserFactory(email="organizer@example.com"))
    week = WeekFactory(starts_at=DEADLINE + timedelta(days=1), review_deadline=DEADLINE)
    for order in range(1, 6):
        topic = TopicFactory(week=week, order=order)
        for number in range(1, 4):
            ReviewerSlotFactory(topic=topic, number=number, reviewer=UserFactory())

    in_parallel(4, lambda: reminders.run_reminders(NOW, weekly=True))

    sent = Counter((m.to[0], m.extra_headers["X-Seminar-Reminder"]) for m in mailoutbox)
    assert set(sent.values()) == {1}
    # 15 reviewers (weekly + 3-day), 5 presenters (weekly + 7-day), 1 organizer summary.
    assert len(mailoutbox) == 15 * 2 + 5 * 2 + 1
    assert SentReminder.objects.exclude(status=SentReminder.Status.SENT).count() == 0
    assert SentReminder.objects.count() == len(mailoutbox)


def test_one_row_delivered_by_many_workers_at_once_is_sent_once(mailoutbox):
    week = WeekFactory(starts_at=DEADLINE + timedelta(days=1), review_deadline=DEADLINE)
    ReviewerSlotFactory(topic=TopicFactory(week=week, presenter=None), reviewer=UserFactory())
    reminders.queue_reminders(reminders.due_deadline_reminders(NOW))
    (reminder_id,) = reminders.deliverable_ids(NOW)

    outcomes = in_parallel(6, lambda: reminders.deliver_reminder(reminder_id, now=NOW).outcome)

    assert sorted(o.value for o in outcomes) == ["sent"] + ["skipped"] * 5
    assert len(mailoutbox) == 1
