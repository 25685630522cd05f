"""Redis (the broker) down: the app still serves pages, and no work is silently lost.

Every enqueue goes through `seminar.lib.queue.enqueue`, which gives up within seconds (socket
timeouts and a short publish retry policy in settings), logs, and lets the request finish.
The database is the record of what is owed, and sweepers on beat send it once the broker is
back: a digest stays pending (`papers.resume_stalled_imports`), an assignment change stays
unnotified (`seminar.send_pending_assignment_emails`), a reminder row stays queued.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, date, datetime, timedelta
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from papers import tasks as paper_tasks
from papers.models import CandidatePaper, Digest
from papers.services import stalled_after
from seminar.lib.queue import enqueue
from seminar.models import AssignmentChange, ReviewerSlot, SentReminder
from seminar.reminders import tasks
from tests.factories import ReviewerSlotFactory, TopicFactory, UserFactory, WeekFactory
from tests.papers.builders import hf_digest

pytestmark = pytest.mark.django_db

PRODUCT_CODE = ("seminar", "papers", "reviews")


def _midday_zone() -> str:
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12
    return f"Etc/GMT{-offset:+d}" if offset else "UTC"


@pytest.fixture
def broker_down(broker_at, closed_port):
    broker_at(f"redis://127.0.0.1:{closed_port}/0")


def test_every_enqueue_in_the_app_goes_through_the_shared_helper():
    root = Path(__file__).resolve().parents[2]
    raw = re.compile(r"\.(delay|apply_async|send_task)\(")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for package in PRODUCT_CODE
        for path in (root / package).rglob("*.py")
        if "migrations" not in path.parts and path.name != "queue.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if raw.search(line)
    ]
    assert offenders == []


def test_enqueue_gives_up_at_once_when_nothing_listens(broker_down, caplog):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="seminar.lib.queue"):
        assert enqueue(paper_tasks.import_digest, 1) is False
    assert time.monotonic() - started < 5
    assert "Could not send papers.import_digest(1,) to the broker" in caplog.text


def test_enqueue_gives_up_within_seconds_when_the_broker_hangs(broker_at, silent_port):
    broker_at(f"redis://127.0.0.1:{silent_port}/0")
    started = time.monotonic()
    assert enqueue(paper_tasks.import_digest, 1) is False
    assert time.monotonic() - started < 15  # socket timeouts in settings: 3 s, 5 s


def test_pages_render_with_the_broker_down(broker_down, organizer_client, member):
    WeekFactory()
    for name in ("home", "week_list", "schedule", "digest_imports", "reminder_status", "stats"):
        assert organizer_client.get(reverse(name)).status_code == 200, name


def test_a_digest_uploaded_with_the_broker_down_stays_pending_and_is_imported_later(
    broker_down, broker_at, organizer_client, django_capture_on_commit_callbacks, caplog
):
    upload = hf_digest(date(2025, 6, 2), [("2506.00042", "Uploaded while down")])
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True), caplog.at_level(logging.WARNING):
        response = organizer_client.post(
            reverse("digest_imports"), {"files": [_file("down.md", upload)]}
        )
    assert time.monotonic() - started < 10
    assert response.status_code == 302
    digest = Digest.objects.get()
    assert digest.status == Digest.Status.PENDING  # kept, with its content
    assert "Could not send papers.import_digest" in caplog.text
    assert not CandidatePaper.objects.exists()

    # The broker is back (tasks run in-process from here); once the digest is older than an
    # import may take, beat's sweeper sends it.
    broker_at(None)
    Digest.objects.filter(pk=digest.pk).update(created_at=timezone.now() - stalled_after())
    with django_capture_on_commit_callbacks(execute=True):
        paper_tasks.resume_stalled_imports()
    digest.refresh_from_db()
    assert digest.status == Digest.Status.DONE
    assert list(CandidatePaper.objects.values_list("arxiv_id", flat=True)) == ["2506.00042"]


def test_an_assignment_with_the_broker_down_commits_and_is_mailed_by_the_sweeper(
    broker_down, broker_at, organizer_client, django_capture_on_commit_callbacks, time_machine
):
    member = UserFactory(email="assigned@example.com", timezone=_midday_zone())
    slot = ReviewerSlotFactory(topic=TopicFactory(presenter=None), number=1)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            reverse("schedule_assign_reviewer", args=[slot.pk]), {"member": member.pk}
        )
    assert response.status_code == 302
    assert ReviewerSlot.objects.get(pk=slot.pk).reviewer == member  # committed
    change = AssignmentChange.objects.get()
    assert change.notified_at is None and mail.outbox == []
    assert not SentReminder.objects.exists()  # the email never reached the worker

    broker_at(None)  # the broker is back
    tasks.send_pending_assignment_emails()
    assert mail.outbox == []  # under a minute old: the task sent on commit may still come

    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    tasks.send_pending_assignment_emails()
    tasks.send_pending_assignment_emails()  # beat firing twice changes nothing
    assert [m.to for m in mail.outbox] == [["assigned@example.com"]]
    change.refresh_from_db()
    assert change.notified_at is not None


def test_the_sweeper_mails_only_the_latest_change_to_a_role(organizer, time_machine):
    from seminar.services import record_assignment_change

    member = UserFactory(timezone=_midday_zone())
    topic = TopicFactory(presenter=None)
    for assigned in (True, False, True):  # assigned, taken away, assigned again
        record_assignment_change(
            topic=topic, member=member, role="presenter", assigned=assigned, actor=organizer
        )  # no commit in this test: none of them reached the worker
    mail.outbox = []
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    tasks.send_pending_assignment_emails()
    latest = AssignmentChange.objects.order_by("pk").last()
    assert list(SentReminder.objects.values_list("key", flat=True)) == [f"change:{latest.pk}"]
    assert len(mail.outbox) == 1


def test_beat_runs_the_assignment_sweeper_every_5_minutes():
    migration = import_module("seminar.migrations.0006_pending_assignment_emails_schedule")
    PeriodicTask.objects.filter(task="seminar.send_pending_assignment_emails").delete()
    migration.create_schedule(apps, None)
    task = PeriodicTask.objects.get(task="seminar.send_pending_assignment_emails")
    assert task.enabled and task.crontab.minute == "2-59/5"


def _file(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/markdown")
