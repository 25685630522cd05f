""" "Remind now" pressed by two organizers at the same instant still sends each reviewer one
email: the reminder log's unique key and the one-claim delivery, under real concurrency
(PostgreSQL, one connection per thread; tasks run in-process after each commit)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection

from seminar.models import ReminderPolicy, SentReminder
from seminar.reminders.manual import remind_reviewers_now
from tests.factories import ReviewerSlotFactory, TopicFactory, UserFactory, WeekFactory
from tests.seminar.reminders.test_concurrency import in_parallel

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.clock_sensitive,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks under real concurrency: PostgreSQL"
    ),
]

NOW = datetime(2026, 12, 3, 10, tzinfo=ZoneInfo("Asia/Seoul"))


def test_two_organizers_pressing_remind_now_at_once_send_one_email_per_reviewer():
    ReminderPolicy(quiet_hours_start=time(0), quiet_hours_end=time(0)).save()
    week = WeekFactory(starts_at=NOW + timedelta(days=6), review_deadline=NOW + timedelta(days=5))
    reviewers = [UserFactory() for _ in range(4)]
    for order, reviewer in enumerate(reviewers, 1):
        topic = TopicFactory(week=week, order=order)
        ReviewerSlotFactory(topic=topic, number=1, reviewer=reviewer)
    mail.outbox.clear()

    with time_machine.travel(NOW, tick=True):  # the delivery reads the clock
        results = in_parallel(3, lambda: remind_reviewers_now(week=week, now=NOW))

    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in reviewers)
    assert SentReminder.objects.filter(status="sent").count() == 4
    # Between them the presses queued each reviewer once, and say so.
    assert sum(r.queued for r in results) == 4
    assert sum(r.already for r in results) == 8
