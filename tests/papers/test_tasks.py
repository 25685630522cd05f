from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_celery_beat.models import PeriodicTask

from papers.models import CandidatePaper, Digest, DigestSource
from papers.services import store_digest
from papers.tasks import import_digest, poll_all_digest_sources, poll_digest_source
from tests.papers.conftest import SEED_DIGESTS


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_an_uploaded_digest_end_to_end(celery_worker, client, organizer):
    client.force_login(organizer)
    upload = SimpleUploadedFile("001.md", SEED_DIGESTS[0].read_bytes(), "text/markdown")
    response = client.post("/papers/imports/", {"files": [upload]})
    assert response.status_code == 302
    digest = Digest.objects.get()
    deadline = time.monotonic() + 30
    while digest.status not in ("done", "partial", "failed") and time.monotonic() < deadline:
        time.sleep(0.05)
        digest.refresh_from_db()
    assert (digest.status, digest.papers_new, digest.uploaded_by) == ("done", 15, organizer)
    assert CandidatePaper.objects.count() == 15


@pytest.mark.django_db
def test_import_task_runs_a_pending_digest_and_ignores_a_missing_one():
    digest, _ = store_digest(text=SEED_DIGESTS[1].read_text(encoding="utf-8"), origin="002")
    import_digest.delay(digest.pk)
    digest.refresh_from_db()
    assert (digest.status, digest.papers_new) == ("done", 8)
    import_digest.delay(digest.pk + 100)  # deleted meanwhile: nothing to do, no error
    assert Digest.objects.count() == 1


@pytest.mark.django_db
def test_poll_all_polls_enabled_sources_only(tmp_path, settings):
    settings.DIGEST_FOLDER_ROOTS = [str(tmp_path)]
    (tmp_path / "on").mkdir()
    (tmp_path / "off").mkdir()
    for name in ("on", "off"):
        (tmp_path / name / "digest.md").write_bytes(
            SEED_DIGESTS[3 if name == "on" else 2].read_bytes()
        )
    on = DigestSource.objects.create(name="on", kind="folder", location=str(tmp_path / "on"))
    off = DigestSource.objects.create(
        name="off", kind="folder", location=str(tmp_path / "off"), enabled=False
    )
    poll_all_digest_sources.delay()
    on.refresh_from_db()
    off.refresh_from_db()
    assert on.last_polled_at is not None
    assert off.last_polled_at is None
    assert list(Digest.objects.values_list("source__name", "papers_new")) == [("on", 18)]
    poll_digest_source.delay(off.pk + 100)  # gone: returns quietly


def _create_schedule() -> None:
    """Run the data migration's function, as `migrate` does.

    Transactional tests elsewhere in the suite flush the database, migration data included, so
    these tests make the schedule themselves rather than rely on what migrate left behind.
    """
    from importlib import import_module

    from django.apps import apps

    import_module("papers.migrations.0004_daily_digest_poll_schedule").create_schedule(apps, None)


@pytest.mark.django_db
def test_sources_are_polled_daily_at_seven_in_seoul():
    PeriodicTask.objects.filter(task="papers.poll_all_digest_sources").delete()
    _create_schedule()
    task = PeriodicTask.objects.get(task="papers.poll_all_digest_sources")
    assert task.enabled
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week) == ("0", "7", "*")
    assert str(crontab.timezone) == "Asia/Seoul"


@pytest.mark.django_db
def test_the_schedule_migration_does_not_duplicate_or_override_a_schedule():
    _create_schedule()
    task = PeriodicTask.objects.get(task="papers.poll_all_digest_sources")
    task.enabled = False  # an organizer paused it
    task.save()
    _create_schedule()
    assert PeriodicTask.objects.filter(task="papers.poll_all_digest_sources").count() == 1
    assert not PeriodicTask.objects.get(pk=task.pk).enabled
