"""Workers killed mid-task: a restart (or the next scheduled run) finishes the work, nothing
is lost and nothing is done twice.

Killed mid-import: tests/papers/test_concurrency.py shows the import is all or nothing (the
killed run leaves the digest pending or running, with no paper of it written) and that
running it again imports it whole. Here: nobody has to run it again by hand, because
`papers.resume_stalled_imports` (beat, every 15 minutes) sends a stalled digest back to the
worker. Killed mid-reminder-run: the row the killed run had claimed is sent by the next run
once it is older than a task may live; the emails sent before the kill are not sent again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connections
from django.db.models import F
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from papers import services as paper_services
from papers import tasks as paper_tasks
from papers.importing import CHUNK_SIZE
from papers.models import CandidatePaper, Digest, PaperSummary
from papers.services import stalled_after, store_digest
from seminar import reminders
from seminar.models import SentReminder
from seminar.reminders import tasks
from tests.factories import (
    CandidatePaperFactory,
    ReviewerSlotFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)
from tests.hardening.mail import BLOCK_ON, BLOCKED_MARKER, recipients
from tests.papers.builders import hf_digest, numbered_ids
from tests.support import postgres_only, test_database_url, wait_for

PAPERS = 2 * CHUNK_SIZE + 1


def _manage(*args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=Path(settings.BASE_DIR),
        env={**os.environ, "DATABASE_URL": test_database_url(), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


# --- imports ---------------------------------------------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_import_whose_worker_was_killed_is_finished_by_the_sweeper(celery_worker, tmp_path):
    ids = numbered_ids(PAPERS)
    CandidatePaperFactory(arxiv_id=ids[-1], title="Already known")
    path = tmp_path / "long.md"
    digest = hf_digest(date(2008, 1, 15), [(arxiv_id, f"Paper {arxiv_id}") for arxiv_id in ids])
    path.write_text(digest, encoding="utf-8")
    # Another transaction holds the last paper, so the import stops in its last chunk.
    lock = connections.create_connection("default")
    with lock.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute(
            "SELECT 1 FROM papers_candidatepaper WHERE arxiv_id = %s FOR UPDATE", [ids[-1]]
        )
    process = _manage("import_digests", str(path))
    try:
        digest = wait_for(
            lambda: Digest.objects.filter(origin=str(path), papers_done=2 * CHUNK_SIZE).first(),
            process=process,
        )
        _kill(process)  # the worker dies in the middle of the import
    finally:
        if process.poll() is None:
            process.kill()
        with lock.cursor() as cursor:
            cursor.execute("ROLLBACK")
        lock.close()
    assert digest.status == Digest.Status.RUNNING
    assert PaperSummary.objects.count() == 0

    # Not yet: the killed run might still be running, for all anyone knows.
    assert paper_services.enqueue_stalled_imports() == []
    # Later than any import may take (the task's time limit), the sweeper sends it again.
    Digest.objects.filter(pk=digest.pk).update(
        started_at=F("started_at") - stalled_after(), created_at=F("created_at") - stalled_after()
    )
    paper_tasks.resume_stalled_imports.delay()

    digest = wait_for(lambda: Digest.objects.filter(pk=digest.pk, status="done").first())
    assert (digest.papers_new, digest.papers_updated, digest.papers_failed) == (PAPERS - 1, 1, 0)
    assert PaperSummary.objects.filter(digest=digest).count() == PAPERS
    assert CandidatePaper.objects.count() == PAPERS
    # Once done, the sweeper leaves it alone.
    assert paper_services.enqueue_stalled_imports() == []


@pytest.mark.django_db
def test_the_sweeper_imports_stalled_digests_only(django_capture_on_commit_callbacks):
    day = date(2025, 6, 2)
    stalled, _ = store_digest(text=hf_digest(day, [("2506.00001", "Stalled")]), origin="a.md")
    fresh, _ = store_digest(text=hf_digest(day, [("2506.00002", "Fresh")]), origin="b.md")
    failed, _ = store_digest(text=hf_digest(day, [("2506.00003", "Failed")]), origin="c.md")
    long_ago = timezone.now() - stalled_after() - timedelta(seconds=1)
    Digest.objects.filter(pk__in=[stalled.pk, failed.pk]).update(created_at=long_ago)
    Digest.objects.filter(pk=failed.pk).update(status=Digest.Status.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        paper_tasks.resume_stalled_imports()  # tasks run in-process here

    assert Digest.objects.get(pk=stalled.pk).status == Digest.Status.DONE
    assert Digest.objects.get(pk=fresh.pk).status == Digest.Status.PENDING  # maybe still queued
    assert Digest.objects.get(pk=failed.pk).status == Digest.Status.FAILED  # retried by hand
    assert list(CandidatePaper.objects.values_list("arxiv_id", flat=True)) == ["2506.00001"]


@pytest.mark.django_db
def test_beat_runs_the_import_sweeper_every_15_minutes():
    migration = import_module("papers.migrations.0006_resume_stalled_imports_schedule")
    PeriodicTask.objects.filter(task="papers.resume_stalled_imports").delete()
    migration.create_schedule(apps, None)
    task = PeriodicTask.objects.get(task="papers.resume_stalled_imports")
    assert task.enabled and task.crontab.minute == "7-59/15" and task.crontab.hour == "*"
    # An organizer's edit survives the migration running again.
    PeriodicTask.objects.filter(pk=task.pk).update(enabled=False)
    migration.create_schedule(apps, None)
    assert PeriodicTask.objects.get(task="papers.resume_stalled_imports").enabled is False


# --- reminders -------------------------------------------------------------------------------

NOW = datetime(2031, 3, 4, 12, 0)  # noon in Seoul, the group's (and recipients') zone
READERS = [f"reader{n}@example.com" for n in range(1, 6)]


def _at(minutes: float) -> str:
    return (NOW + timedelta(minutes=minutes)).isoformat()


def _statuses() -> dict[str, str]:
    return dict(SentReminder.objects.values_list("recipient__email", "status"))


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_reminder_run_killed_mid_send_is_finished_by_the_next_run(settings, tmp_path):
    start = timezone.make_aware(NOW)
    week = WeekFactory(
        starts_at=start + timedelta(days=3), review_deadline=start + timedelta(days=2)
    )
    topic = TopicFactory(week=week, presenter=None)
    for number, address in enumerate(READERS, start=1):
        ReviewerSlotFactory(topic=topic, number=number, reviewer=UserFactory(email=address))
    outbox = tmp_path / "mail"
    outbox.mkdir()
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.hardening.fault_settings",
        "HARDENING_MAIL_DIR": str(outbox),
    }

    # The run hangs in the SMTP conversation of the third email, and is killed there.
    process = _manage("send_reminders", "--now", _at(0), **env, **{BLOCK_ON: "3"})
    try:
        wait_for(lambda: (outbox / BLOCKED_MARKER).exists(), process=process)
        _kill(process)
    finally:
        if process.poll() is None:
            process.kill()
    assert recipients(outbox) == {READERS[0]: 1, READERS[1]: 1}
    assert _statuses() == {
        READERS[0]: "sent",
        READERS[1]: "sent",
        READERS[2]: "sending",  # claimed, then the worker died
        READERS[3]: "queued",
        READERS[4]: "queued",
    }

    # Five minutes later the claim could still be a live worker's: the next run sends the
    # queued ones and leaves it alone.
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(outbox)
    call_command("send_reminders", "--now", _at(5))
    assert _statuses()[READERS[2]] == "sending"
    assert recipients(outbox) == {READERS[0]: 1, READERS[1]: 1, READERS[3]: 1, READERS[4]: 1}

    # Past the worker's hard time limit it cannot be: a restarted run queues it again and
    # sends it. Everyone has exactly one email.
    limit = settings.CELERY_TASK_TIME_LIMIT / 60 + 1.5
    process = _manage("send_reminders", "--now", _at(limit), **env)
    assert process.wait(timeout=60) == 0, process.stdout.read().decode(errors="replace")
    assert recipients(outbox) == dict.fromkeys(READERS, 1)
    assert set(_statuses().values()) == {"sent"}
    assert SentReminder.objects.get(recipient__email=READERS[2]).attempts == 2

    call_command("send_reminders", "--now", _at(limit + 20))  # and again: nothing more
    assert recipients(outbox) == dict.fromkeys(READERS, 1)


@pytest.mark.django_db
def test_the_due_reminders_task_sends_an_interrupted_reminder_once_it_is_stale(time_machine):
    start = timezone.now().replace(microsecond=0)
    reader = UserFactory(email="reader@example.com", timezone=_midday_zone(start))
    week = WeekFactory(
        starts_at=start + timedelta(days=3), review_deadline=start + timedelta(days=2)
    )
    ReviewerSlotFactory(topic=TopicFactory(week=week, presenter=None), reviewer=reader)
    time_machine.move_to(start, tick=False)
    (row_id,) = reminders.queue_due_reminders(start)
    assert reminders.claim(row_id, start)  # a worker took it and died before sending
    mail.outbox = []

    time_machine.move_to(start + timedelta(minutes=10), tick=False)
    tasks.send_due_reminders()
    assert mail.outbox == [] and SentReminder.objects.get().status == "sending"

    time_machine.move_to(start + reminders.sending_stale_after() + timedelta(minutes=1), tick=False)
    tasks.send_due_reminders()
    tasks.send_due_reminders()  # beat firing twice changes nothing
    assert [m.to for m in mail.outbox] == [["reader@example.com"]]
    row = SentReminder.objects.get()
    assert (row.status, row.attempts) == ("sent", 2)


@pytest.mark.django_db
def test_an_email_that_kills_its_worker_every_time_is_given_up(time_machine):
    start = timezone.now().replace(microsecond=0)
    reader = UserFactory(timezone=_midday_zone(start))
    week = WeekFactory(
        starts_at=start + timedelta(days=3), review_deadline=start + timedelta(days=2)
    )
    ReviewerSlotFactory(topic=TopicFactory(week=week, presenter=None), reviewer=reader)
    (row_id,) = reminders.queue_due_reminders(start)
    moment = start
    for _attempt in range(5):  # the policy's max_attempts
        assert reminders.claim(row_id, moment)
        moment += reminders.sending_stale_after() + timedelta(minutes=1)
        reminders.requeue_interrupted(moment)
    row = SentReminder.objects.get()
    assert row.status == "gave_up" and "Interrupted" in row.last_error


def _midday_zone(moment: datetime) -> str:
    """A zone where `moment` is about noon, so quiet hours never hold the test's email."""
    offset = (12 - moment.astimezone(UTC).hour + 12) % 24 - 12
    return f"Etc/GMT{-offset:+d}" if offset else "UTC"
