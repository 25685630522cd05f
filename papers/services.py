"""Writes for digests and candidate papers: storing and submitting digests, queueing their
imports, organizers' edits and the members' pool (interest marks, dismissing).

The import itself runs in `papers.importing`; sources are polled by `papers.polling`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from papers import arxiv, tasks
from papers.importing import RUNNABLE, run_digest_import
from papers.models import CandidatePaper, Digest, DigestSource, PaperInterest
from papers.text import content_hash, decode_digest_bytes, encode_digest_text, max_digest_bytes
from seminar.lib.queue import enqueue_on_commit, worker_gone_after

if TYPE_CHECKING:
    from seminar.models import User

logger = logging.getLogger(__name__)


def store_digest(
    *,
    text: str,
    origin: str,
    source: DigestSource | None = None,
    uploaded_by: User | None = None,
) -> tuple[Digest, bool]:
    """Save a digest's text as a pending import, once per content; return it and `created`.

    Raises `ValidationError` if the text is over `DIGEST_MAX_BYTES`.
    """
    encoded = encode_digest_text(text)
    limit = max_digest_bytes()
    if len(encoded) > limit:
        raise ValidationError(
            _("The digest is larger than the limit of %(limit)s bytes.") % {"limit": limit},
            code="too_large",
        )
    return Digest.objects.get_or_create(
        content_hash=content_hash(text),
        defaults={
            "origin": origin[: Digest._meta.get_field("origin").max_length],
            "content": encoded.decode("utf-8"),
            "source": source,
            "uploaded_by": uploaded_by,
        },
    )


def import_digest_text(
    *,
    text: str,
    origin: str,
    source: DigestSource | None = None,
    uploaded_by: User | None = None,
) -> Digest:
    """Import a digest now and return its `Digest`.

    Idempotent: a text imported before (same normalized content) is returned unchanged. A
    stored digest whose import never finished (a worker died) is imported now.
    """
    digest, _created = store_digest(
        text=text, origin=origin, source=source, uploaded_by=uploaded_by
    )
    if digest.status in RUNNABLE:
        digest = run_digest_import(digest_id=digest.pk) or digest
    return digest


def import_digest_file(*, path: Path | str, source: DigestSource | None = None) -> Digest:
    """Import one digest file now (see `import_digest_text`).

    Raises `ValidationError` if the file is too large and `OSError` if it cannot be read.
    """
    path = Path(path)
    limit = max_digest_bytes()
    if path.stat().st_size > limit:
        raise ValidationError(
            _("%(name)s is larger than the limit of %(limit)s bytes.")
            % {"name": path, "limit": limit},
            code="too_large",
        )
    text = decode_digest_bytes(path.read_bytes())
    return import_digest_text(text=text, origin=str(path), source=source)


def submit_digest_uploads(
    *, files: Sequence[tuple[str, str]], uploaded_by: User | None
) -> list[tuple[Digest, bool]]:
    """Store uploaded digests (name, text) and have the worker import the new ones.

    Returns every digest with whether it was new; a file imported before is not imported
    again. The imports are enqueued after the rows commit, so the worker always finds them.
    """
    results = []
    with transaction.atomic():
        for name, text in files:
            digest, created = store_digest(text=text, origin=name, uploaded_by=uploaded_by)
            if digest.status in RUNNABLE:
                enqueue_digest_import(digest_id=digest.pk)
            results.append((digest, created))
    return results


def retry_digest_import(*, digest: Digest) -> bool:
    """Queue a failed, partial or stalled import to run again from its stored content."""
    if not digest.can_retry:
        return False
    with transaction.atomic():
        Digest.objects.filter(pk=digest.pk).update(status=Digest.Status.PENDING, finished_at=None)
        enqueue_digest_import(digest_id=digest.pk)
    digest.status = Digest.Status.PENDING
    return True


def enqueue_digest_import(*, digest_id: int) -> None:
    """Send `import_digest` to the worker once the current transaction commits.

    With the broker down the digest simply stays pending: `enqueue_stalled_imports` (run by
    beat) sends it again once it is older than any import may take.
    """
    enqueue_on_commit(tasks.import_digest, digest_id)


def enqueue_source_poll(*, source_id: int) -> None:
    """Have the worker poll one digest source once the current transaction commits."""
    enqueue_on_commit(tasks.poll_digest_source, source_id)


def stalled_after() -> timedelta:
    """How long an import may be pending or running before its worker counts as gone (the
    same limit as `Digest.is_stalled`)."""
    return worker_gone_after()


def enqueue_stalled_imports(*, now: datetime | None = None) -> list[int]:
    """Enqueue again every import that is pending or running for longer than `stalled_after`:
    its worker was killed mid-import (the transaction rolled back; the row kept its content),
    or the broker was down when it was uploaded. Returns their ids.

    A run that turns out to be still queued is harmless: the import takes the digest's lock
    and leaves a finished digest alone.
    """
    cutoff = (now or timezone.now()) - stalled_after()
    ids = list(
        Digest.objects.filter(status__in=RUNNABLE)
        .filter(Q(started_at__lt=cutoff) | Q(started_at__isnull=True, created_at__lt=cutoff))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    for digest_id in ids:
        enqueue_digest_import(digest_id=digest_id)
    return ids


def record_edited_fields(*, paper: CandidatePaper, fields: Iterable[str]) -> list[str]:
    """Remember that an organizer set these fields, so imports never overwrite them.

    Call it from any form that lets organizers edit a candidate; returns the fields added.
    The caller saves the paper.
    """
    edited = list(paper.edited_fields or [])
    added = [
        name
        for name in dict.fromkeys(fields)
        if name in CandidatePaper.EDIT_PROTECTED_FIELDS and name not in edited
    ]
    paper.edited_fields = edited + added
    return added


def forget_edited_fields(*, papers: Iterable[CandidatePaper]) -> int:
    """Let imports fill these papers' fields again; returns how many papers changed."""
    ids = [paper.pk for paper in papers]
    return CandidatePaper.objects.filter(pk__in=ids).update(
        edited_fields=[], updated_at=timezone.now()
    )


def set_interest(
    *, paper: CandidatePaper, member: User, kind: str, marked: bool | None = None
) -> bool:
    """Mark or unmark a member's interest of one kind; `marked=None` toggles. Returns whether
    the mark is there afterwards. Repeating a request changes nothing (a double click, a race:
    the unique constraint keeps one mark)."""
    if kind not in PaperInterest.Kind.values:
        raise ValidationError(_("Unknown kind of interest."), code="kind")
    marks = PaperInterest.objects.filter(paper=paper, member=member, kind=kind)
    if marked is None:
        marked = not marks.exists()
    if marked:
        try:
            with transaction.atomic():
                PaperInterest.objects.get_or_create(paper=paper, member=member, kind=kind)
        except IntegrityError:  # marked at the same moment by the same member elsewhere
            pass
    else:
        marks.delete()
    return marked


def set_paper_dismissed(*, paper: CandidatePaper, dismissed: bool) -> None:
    """Dismiss a candidate from the pool, or restore a dismissed one to it.

    Only candidates are dismissed (a scheduled or presented paper is on the programme) and only
    dismissed papers restored; anything else raises `ValidationError`. The importer never
    writes `status`, so the change needs no protection in `edited_fields`.
    """
    source, target = (
        (CandidatePaper.Status.CANDIDATE, CandidatePaper.Status.DISMISSED)
        if dismissed
        else (CandidatePaper.Status.DISMISSED, CandidatePaper.Status.CANDIDATE)
    )
    updated = CandidatePaper.objects.filter(pk=paper.pk, status=source).update(
        status=target, updated_at=timezone.now()
    )
    if not updated:
        paper.refresh_from_db(fields=["status"])
        if paper.status == target:
            return  # already done (a second click)
        raise ValidationError(
            _("A paper that is %(status)s cannot be dismissed or restored.")
            % {"status": paper.get_status_display().lower()},
            code="status",
        )
    paper.status = target


# --- adding a paper by its link or id, and filling it from arXiv ------------------------------

# `add_paper_by_reference` outcomes.
ADDED_EXISTING = "existing"  # the pool had it already: nothing was written
ADDED_NEW = "created"  # added with arXiv's metadata
ADDED_PENDING = "pending"  # added by its id alone; `papers.fill_paper_metadata` fills it later
# What arXiv's metadata fills (never over an organizer's edit, never over a value).
FILLED_FIELDS = ("title", "authors", "abstract", "arxiv_url")
# What organizers correct on the paper page.
ORGANIZER_EDITABLE_FIELDS = ("title", "authors", "hf_url", "arxiv_url")
# Seconds a page waits for its turn at the arXiv API before giving up (see `arxiv.fetch_paper`).
PAGE_MAX_WAIT = 6.0


def add_paper_by_reference(
    *, reference: str, actor: User | None, max_wait: float = PAGE_MAX_WAIT
) -> tuple[CandidatePaper, str]:
    """Add the paper a pasted link or id names to the pool; return it and the outcome.

    A paper already in the pool is returned as it is (`ADDED_EXISTING`). A new one is created
    with its arXiv metadata (`ADDED_NEW`); when arXiv cannot be asked now, it is created by
    its id alone and the worker fills it in later (`ADDED_PENDING`). Raises `ValidationError`
    when the text is not an arXiv reference or arXiv has no such paper (nothing is created).
    """
    try:
        arxiv_id = arxiv.parse_reference(reference)
    except arxiv.InvalidReference as exc:
        raise ValidationError(exc.message, code="reference") from exc
    existing = CandidatePaper.objects.filter(arxiv_id=arxiv_id).first()
    if existing is not None:
        return existing, ADDED_EXISTING
    # Asked outside any transaction: a slow API must not hold a database connection's locks.
    metadata = None
    try:
        metadata = arxiv.fetch_paper(arxiv_id, max_wait=max_wait)
    except arxiv.NotFound as exc:
        raise ValidationError(exc.message, code="not_found") from exc
    except arxiv.Unavailable as exc:
        logger.info("arXiv unavailable while adding %s (%s); filling it later", arxiv_id, exc)
    defaults = {"arxiv_url": arxiv.abs_url(arxiv_id)}
    if metadata is not None:
        defaults.update(_metadata_values(metadata))
    with transaction.atomic():
        paper, created = CandidatePaper.objects.get_or_create(arxiv_id=arxiv_id, defaults=defaults)
        if created and metadata is None:
            enqueue_on_commit(tasks.fill_paper_metadata, paper.pk)
    if not created:  # added by someone else (or a digest) a moment ago
        return paper, ADDED_EXISTING
    logger.info("%s added %s to the pool", actor, arxiv_id)
    return paper, ADDED_NEW if metadata is not None else ADDED_PENDING


def _metadata_values(metadata: arxiv.ArxivPaper) -> dict[str, str]:
    return {
        "title": metadata.title,
        "authors": metadata.authors_text,
        "abstract": metadata.abstract,
        "arxiv_url": metadata.abs_url,
    }


def missing_metadata_fields(paper: CandidatePaper) -> list[str]:
    """The fields arXiv could fill on this paper: empty and not edited by an organizer."""
    protected = set(paper.edited_fields or ())
    return [name for name in FILLED_FIELDS if name not in protected and not getattr(paper, name)]


def fill_paper_metadata(*, paper_id: int, metadata: arxiv.ArxivPaper) -> list[str]:
    """Fill a paper's empty fields from arXiv's metadata; return the fields set.

    Never writes a field an organizer edited, nor one that has a value (a digest's or an
    organizer's). The row is locked while deciding, so an edit saved meanwhile is kept.
    """
    values = _metadata_values(metadata)
    with transaction.atomic():
        paper = CandidatePaper.objects.select_for_update().filter(pk=paper_id).first()
        if paper is None:
            return []
        changed = [name for name in missing_metadata_fields(paper) if values.get(name)]
        for name in changed:
            setattr(paper, name, values[name])
        if changed:
            paper.save(update_fields=[*changed, "updated_at"])
    return changed


def fetch_paper_metadata(*, paper: CandidatePaper, max_wait: float = PAGE_MAX_WAIT) -> list[str]:
    """Ask arXiv for this paper and fill what is missing (see `fill_paper_metadata`); return
    the fields set. Asks nothing when nothing is missing. Raises `arxiv.NotFound` and
    `arxiv.Unavailable`."""
    if not missing_metadata_fields(paper):
        return []
    metadata = arxiv.fetch_paper(paper.arxiv_id, max_wait=max_wait)
    changed = fill_paper_metadata(paper_id=paper.pk, metadata=metadata)
    paper.refresh_from_db()
    return changed


def edit_paper(
    *, paper: CandidatePaper, changes: Mapping[str, str], actor: User | None
) -> list[str]:
    """An organizer's corrections to a paper's title, authors or links; return what changed.

    Each changed field is recorded as an organizer edit, so no later digest and no arXiv fill
    writes over it.
    """
    changed = [
        name
        for name in ORGANIZER_EDITABLE_FIELDS
        if name in changes and getattr(paper, name) != changes[name]
    ]
    if not changed:
        return []
    with transaction.atomic():
        for name in changed:
            setattr(paper, name, changes[name])
        record_edited_fields(paper=paper, fields=changed)
        paper.save(update_fields=[*changed, "edited_fields", "updated_at"])
    logger.info("%s edited %s of %s", actor, ", ".join(changed), paper.arxiv_id)
    return changed
