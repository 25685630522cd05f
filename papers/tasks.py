"""Celery tasks for digests: thin wrappers that take ids and call one service each.

Each task imports its service inside its body: the services enqueue these tasks (importing
this module at their top), and a worker only needs this module to register the tasks.
"""

from __future__ import annotations

from celery import shared_task

from papers.models import Digest, DigestSource
from seminar.lib.queue import enqueue


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
