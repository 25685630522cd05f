"""End to end through a real Celery worker on the real Redis broker."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from seminar.models import AssignmentChange, SentReminder
from seminar.reminders import tasks
from seminar.services import record_assignment_change
from tests.factories import ReviewerSlotFactory, TopicFactory, UserFactory, WeekFactory

pytestmark = pytest.mark.django_db(transaction=True)


def midday_zone() -> str:
    """A zone where it is about noon right now, so quiet hours never hold the test's email."""
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12  # -12 .. +11 hours
    return f"Etc/GMT{-offset:+d}" if offset else "UTC"  # Etc/GMT signs are inverted


def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_worker_sends_a_due_reminder_once(celery_worker):
    mail.outbox = []
    reviewer = UserFactory(email="worker@example.com", timezone=midday_zone())
    deadline = timezone.now() + timedelta(days=2)
    week = WeekFactory(starts_at=deadline + timedelta(days=1), review_deadline=deadline)
    ReviewerSlotFactory(topic=TopicFactory(week=week, presenter=None), reviewer=reviewer)

    tasks.send_due_reminders.delay()
    tasks.send_due_reminders.delay()  # beat firing twice changes nothing

    assert wait_for(lambda: SentReminder.objects.filter(status="sent").exists())
    time.sleep(0.5)  # room for a duplicate to show up, were there one
    assert [m.to for m in mail.outbox] == [["worker@example.com"]]
    assert SentReminder.objects.get().kind == SentReminder.Kind.REVIEWER_DEADLINE


def test_worker_sends_the_assignment_email_after_commit(celery_worker):
    mail.outbox = []
    member = UserFactory(email="assigned@example.com", timezone=midday_zone())
    topic = TopicFactory(week=WeekFactory(), presenter=None)
    with transaction.atomic():
        change = record_assignment_change(
            topic=topic, member=member, role="presenter", assigned=True, actor=None
        )
        topic.presenter = member
        topic.save()

    assert wait_for(lambda: AssignmentChange.objects.get(pk=change.pk).notified_at is not None)
    assert [m.to for m in mail.outbox] == [["assigned@example.com"]]
