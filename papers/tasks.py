"""Celery tasks for digests: thin wrappers that take ids and call one service each.

Each task imports its service inside its body: the services enqueue these tasks (importing
this module at their top), and a worker only needs this module to register the tasks.
"""

from __future__ import annotations

import logging

from celery import shared_task

from papers.models import Digest, DigestSource
from seminar.lib.queue import enqueue

logger = logging.getLogger(__name__)


@shared_task(name="papers.import_digest")
def import_digest(digest_id: int) -> None:
    """Import a stored digest (uploaded, or interrupted and redelivered)."""
    from papers.importing import run_digest_import

    if not Digest.objects.filter(pk=digest_id).exists():
        return
    run_digest_import(digest_id=digest_id)


@shared_task(name="papers.poll_digest_source")
def poll_digest_source(source_id: int) -> None:
    """Poll one source. Each source is its own task, so a slow or dead server holds up only
    its own poll (and that for at most its fetch deadline per URL)."""
    from papers import polling

    source = DigestSource.objects.filter(pk=source_id).first()
    if source is None:
        return
    polling.poll_digest_source(source=source)


@shared_task(name="papers.poll_all_digest_sources")
def poll_all_digest_sources() -> None:
    """The daily schedule: fans out one `poll_digest_source` task per enabled source; it
    fetches nothing itself."""
    for source_id in DigestSource.objects.filter(enabled=True).values_list("pk", flat=True):
        enqueue(poll_digest_source, source_id)


@shared_task(name="papers.resume_stalled_imports")
def resume_stalled_imports() -> None:
    """Beat, every 15 minutes: imports whose worker died, or that were never sent because the
    broker was down, are enqueued again (see `services.enqueue_stalled_imports`)."""
    from papers import services

    services.enqueue_stalled_imports()


# A paper added while arXiv could not be asked is filled by this task: retried with growing
# pauses (1, 2, 4 … minutes, or what arXiv's Retry-After asks), about four hours in all.
FILL_MAX_RETRIES = 8
# Seconds a worker waits for the deployment's turn at the arXiv API (one request per 3 s).
FILL_MAX_WAIT = 60.0


@shared_task(name="papers.fill_paper_metadata", bind=True, max_retries=FILL_MAX_RETRIES)
def fill_paper_metadata(self, paper_id: int) -> None:
    """Fill a paper's missing title, authors and abstract from arXiv (never an organizer's
    edit). Run in-process (no broker), it tries once without waiting and leaves the rest to
    the paper page's "Fetch from arXiv" button: a page must not wait on retries."""
    from papers import arxiv, services
    from papers.models import CandidatePaper

    paper = CandidatePaper.objects.filter(pk=paper_id).first()
    if paper is None or not services.missing_metadata_fields(paper):
        return
    eager = bool(self.request.is_eager)
    try:
        services.fetch_paper_metadata(paper=paper, max_wait=0 if eager else FILL_MAX_WAIT)
    except arxiv.NotFound as exc:
        logger.warning("fill_paper_metadata(%s): %s", paper.arxiv_id, exc)
    except arxiv.Unavailable as exc:
        if eager or self.request.retries >= self.max_retries:
            logger.warning("fill_paper_metadata(%s): giving up: %s", paper.arxiv_id, exc)
            return
        pause = max(exc.retry_after or 0, 60 * 2**self.request.retries)
        raise self.retry(countdown=pause, exc=exc) from exc


@shared_task(name="papers.run_backfill")
def run_backfill(run_id: int) -> None:
    """Fetch a backfill's dates; when its time budget is spent, a new task takes the rest (so
    no task reaches the worker's time limit), continuing from the dates on the row."""
    from papers import backfill

    if backfill.run_backfill(run_id=run_id):
        enqueue(run_backfill, run_id)
