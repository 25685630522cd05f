"""The digest's own rules: when an unfinished import counts as stalled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from papers.models import Digest
from papers.services import enqueue_stalled_imports, store_digest
from seminar.lib.queue import worker_gone_after
from tests.papers.builders import hf_digest

pytestmark = pytest.mark.django_db

STORED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def pending_digest(settings) -> Digest:
    settings.CELERY_TASK_TIME_LIMIT = 300
    with time_machine.travel(STORED, tick=False):
        digest, _created = store_digest(
            text=hf_digest(STORED.date(), [("2603.00001", "Stalled?")]), origin="a.md"
        )
    return digest


def test_an_unfinished_import_is_stalled_only_once_its_worker_is_certainly_gone(
    pending_digest, django_capture_on_commit_callbacks
):
    assert worker_gone_after() == timedelta(minutes=6)
    with time_machine.travel(STORED + worker_gone_after() - timedelta(seconds=1), tick=False):
        assert not pending_digest.is_stalled
        assert not pending_digest.can_retry
        with django_capture_on_commit_callbacks() as queued:
            assert enqueue_stalled_imports() == []
        assert queued == []
    with time_machine.travel(STORED + worker_gone_after() + timedelta(seconds=1), tick=False):
        assert pending_digest.is_stalled
        assert pending_digest.can_retry
        # The page's "stalled" and the sweeper agree: the same limit decides both.
        with django_capture_on_commit_callbacks() as queued:
            assert enqueue_stalled_imports() == [pending_digest.pk]
        assert len(queued) == 1


def test_a_finished_import_is_never_stalled(pending_digest):
    pending_digest.status = Digest.Status.DONE
    with time_machine.travel(STORED + timedelta(days=30), tick=False):
        assert not pending_digest.is_stalled
        assert not pending_digest.can_retry
