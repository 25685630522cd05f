"""What other connections see of an import while it runs, and after its worker is killed.

PostgreSQL only: both need a second writer on the same database. The import is held at a
known point by locking the candidate paper its last chunk needs, from another connection.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

from papers.importing import CHUNK_SIZE, run_digest_import
from papers.models import CandidatePaper, Digest, PaperSummary
from papers.services import store_digest
from tests.factories import CandidatePaperFactory
from tests.papers.builders import hf_digest, numbered_ids
from tests.support import postgres_only, test_database_url, wait_for

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

PAPERS = 2 * CHUNK_SIZE + 1  # two chunks report progress, the third waits on the lock


class RowLock:
    """A transaction on its own connection that holds one candidate paper FOR UPDATE."""

    def __init__(self, arxiv_id: str) -> None:
        self.connection = connections.create_connection("default")
        with self.connection.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(
                "SELECT id FROM papers_candidatepaper WHERE arxiv_id = %s FOR UPDATE", [arxiv_id]
            )

    def release(self) -> None:
        if self.connection is not None:
            with self.connection.cursor() as cursor:
                cursor.execute("COMMIT")
            self.connection.close()
            self.connection = None


@pytest.fixture
def held_digest():
    """A stored 1,001-paper digest whose last paper is locked by another transaction."""
    ids = numbered_ids(PAPERS)
    text = hf_digest(date(2008, 1, 15), [(arxiv_id, f"Paper {arxiv_id}") for arxiv_id in ids])
    CandidatePaperFactory(arxiv_id=ids[-1], title="Already known")
    lock = RowLock(ids[-1])
    try:
        yield text, lock
    finally:
        lock.release()


def test_import_progress_is_visible_from_another_connection_while_it_runs(held_digest):
    text, lock = held_digest
    digest, _ = store_digest(text=text, origin="long.md")
    worker = threading.Thread(target=_import_in_thread, args=(digest.pk,))
    worker.start()
    try:
        seen = wait_for(
            lambda: Digest.objects.filter(pk=digest.pk, papers_done=2 * CHUNK_SIZE).first()
        )
        assert (seen.status, seen.papers_total, seen.attempts) == ("running", PAPERS, 1)
        assert seen.started_at is not None
        # Progress is visible, the papers are not: they commit with the digest's result.
        assert CandidatePaper.objects.count() == 1
        assert PaperSummary.objects.count() == 0
    finally:
        lock.release()
        worker.join(timeout=60)
    digest.refresh_from_db()
    assert (digest.status, digest.papers_done) == ("done", PAPERS)
    assert (digest.papers_new, digest.papers_updated) == (PAPERS - 1, 1)
    assert PaperSummary.objects.count() == PAPERS


def _import_in_thread(digest_id: int) -> None:
    try:
        run_digest_import(digest_id=digest_id)
    finally:
        connection.close()


def test_a_worker_killed_mid_import_leaves_no_half_imported_digest(held_digest, tmp_path):
    text, lock = held_digest
    path = tmp_path / "long.md"
    path.write_text(text, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_digests", str(path)],
        cwd=Path(settings.BASE_DIR),
        env={**os.environ, "DATABASE_URL": test_database_url()},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        digest = wait_for(
            lambda: Digest.objects.filter(origin=str(path), papers_done=2 * CHUNK_SIZE).first(),
            timeout=60,
            process=process,
        )
        process.send_signal(signal.SIGKILL)  # the worker dies in the middle of the import
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        lock.release()
    assert digest.status == "running"
    assert CandidatePaper.objects.count() == 1
    assert PaperSummary.objects.count() == 0
    # The retry (what Celery's redelivery of the late-acked task does) imports it whole.
    digest = run_digest_import(digest_id=digest.pk)
    assert (digest.status, digest.papers_new, digest.papers_updated) == ("done", PAPERS - 1, 1)
    assert digest.attempts == 2
    assert PaperSummary.objects.filter(digest=digest).count() == PAPERS
