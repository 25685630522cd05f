"""Writes for candidate papers: importing digests (text, files, sources) and organizer edits.

How an import stays atomic and still shows its progress
-------------------------------------------------------
1. `store_digest` saves the digest's normalized text as a *pending* `Digest` row and commits
   it. The row is keyed by the text's sha256, so the same file is only ever stored once.
2. `run_digest_import` parses the stored text and writes the papers, their summaries and the
   digest's final status and counts in ONE transaction. A worker killed halfway rolls all of
   it back: the row stays pending (or running) with its content, and a retry (or Celery
   redelivering the late-acked task) runs it again from the start. On PostgreSQL a
   transaction-scoped advisory lock keeps two runs of one digest from overlapping.
3. Papers are written in chunks with bulk queries, each chunk under a savepoint. If a chunk
   fails in the database, it is rolled back and replayed paper by paper, each under its own
   savepoint: the bad paper is recorded in `Digest.errors` with the reason, the others import.
   Each paper's `search_text` (see `papers.search`: its fields and every summary it has) is
   written by the same bulk queries.
4. Progress (`status=running`, `papers_done`) written by the import's own connection would be
   invisible until the commit. On PostgreSQL it goes through a second, autocommit connection
   that only updates non-key columns of the digest row, which does not conflict with the
   FOR KEY SHARE locks the summaries' foreign keys take. SQLite allows one writer at a time,
   so there the status changes at the commit only (imports there are small and in-process).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from papers import sources
from papers.digest import ParsedPaper, parse_digest
from papers.models import CandidatePaper, Digest, DigestSource, PaperInterest, PaperSummary
from papers.search import build_search_text
from seminar.lib.queue import enqueue_on_commit

if TYPE_CHECKING:
    from seminar.models import User

logger = logging.getLogger(__name__)

# Papers written per bulk round trip, and between two progress reports.
CHUNK_SIZE = 500
# PostgreSQL `integer`, the column behind PositiveIntegerField.
MAX_VOTES = 2_147_483_647
# Namespace of the advisory locks taken per digest (any constant unlikely to clash).
_LOCK_NAMESPACE = 0x5E3D

_RUNNABLE = (Digest.Status.PENDING, Digest.Status.RUNNING)
_FIELD_LIMITS = {
    name: CandidatePaper._meta.get_field(name).max_length
    for name in ("title", "hf_url", "arxiv_url", "thumbnail_url")
}
_SUMMARY_TITLE_LIMIT = PaperSummary._meta.get_field("title").max_length
_SUMMARY_FIELDS = ["title", "sections", "summary_ok", "truncated", "problems", "position"]
_RESULT_FIELDS = [
    "date",
    "format",
    "status",
    "attempts",
    "errors",
    "warnings",
    "papers_total",
    "papers_done",
    "papers_new",
    "papers_updated",
    "papers_unchanged",
    "papers_failed",
    "started_at",
    "finished_at",
]


def max_digest_bytes() -> int:
    return int(getattr(settings, "DIGEST_MAX_BYTES", 5 * 1024 * 1024))


# --- text -----------------------------------------------------------------------------------


def decode_digest_bytes(data: bytes, *, strict: bool = False) -> str:
    """Text of a digest file: UTF-8 (with or without a BOM), or UTF-16 with a BOM.

    With `strict`, bytes that are not valid text raise `ValidationError` (uploads get a form
    error); otherwise undecodable bytes become U+FFFD and the parser reports what it can.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if strict:
            raise ValidationError(
                _("The file is not UTF-8 text (invalid byte at position %(pos)s).")
                % {"pos": exc.start},
                code="encoding",
            ) from exc
        return data.decode("utf-8-sig", errors="replace")


def normalize_digest_text(text: str) -> str:
    """The form a digest is stored and hashed in.

    NUL bytes go (PostgreSQL rejects them in text), as do a BOM, CRLF/CR line ends and
    trailing blank space, so that the same digest saved by another editor hashes the same.
    """
    text = text.replace("\x00", "").removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip() + "\n"


def content_hash(text: str) -> str:
    """The key a digest is stored under: sha256 of its normalized UTF-8 text."""
    return hashlib.sha256(normalize_digest_text(text).encode("utf-8", errors="replace")).hexdigest()


# --- storing and importing ------------------------------------------------------------------


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
    # Lone surrogates cannot be stored in UTF-8 columns; they are never meaningful text.
    encoded = normalize_digest_text(text).encode("utf-8", errors="replace")
    limit = max_digest_bytes()
    if len(encoded) > limit:
        raise ValidationError(
            _("The digest is larger than the limit of %(limit)s bytes.") % {"limit": limit},
            code="too_large",
        )
    content = encoded.decode("utf-8")
    return Digest.objects.get_or_create(
        content_hash=hashlib.sha256(encoded).hexdigest(),
        defaults={
            "origin": origin[: Digest._meta.get_field("origin").max_length],
            "content": content,
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
    if digest.status in _RUNNABLE:
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
            if digest.status in _RUNNABLE:
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
    from papers.tasks import import_digest

    enqueue_on_commit(import_digest, digest_id)


def enqueue_source_poll(*, source_id: int) -> None:
    """Have the worker poll one digest source once the current transaction commits."""
    from papers.tasks import poll_digest_source

    enqueue_on_commit(poll_digest_source, source_id)


def stalled_after() -> timedelta:
    """How long an import may be pending or running before its worker counts as gone: the
    task's hard time limit and a minute (the same rule as `Digest.is_stalled`)."""
    limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", None) or 600
    return timedelta(seconds=limit + 60)


def enqueue_stalled_imports(*, now: datetime | None = None) -> list[int]:
    """Enqueue again every import that is pending or running for longer than `stalled_after`:
    its worker was killed mid-import (the transaction rolled back; the row kept its content),
    or the broker was down when it was uploaded. Returns their ids.

    A run that turns out to be still queued is harmless: the import takes the digest's lock
    and leaves a finished digest alone.
    """
    cutoff = (now or timezone.now()) - stalled_after()
    ids = list(
        Digest.objects.filter(status__in=_RUNNABLE)
        .filter(Q(started_at__lt=cutoff) | Q(started_at__isnull=True, created_at__lt=cutoff))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    for digest_id in ids:
        enqueue_digest_import(digest_id=digest_id)
    return ids


@dataclass
class _Run:
    """What one run of an import did, paper by paper."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.new + self.updated + self.unchanged + len(self.failures)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def run_digest_import(*, digest_id: int) -> Digest | None:
    """Import a stored digest whose import is pending (or was interrupted); see the module doc.

    Returns the digest as it ends up, or None if it no longer exists. A digest that already
    finished is returned untouched (use `retry_digest_import` to run it again).
    """
    using = router.db_for_write(Digest)
    try:
        with transaction.atomic(using=using):
            _lock_digest(digest_id, using=using)
            digest = Digest.objects.using(using).filter(pk=digest_id).first()
            if digest is None or digest.status not in _RUNNABLE:
                return digest
            _import(digest, using=using)
            return digest
    except Exception as exc:  # recorded for the organizers; nothing of the run was kept
        logger.exception("Import of digest %s failed", digest_id)
        _record_failure(digest_id, exc, using=using)
        return Digest.objects.using(using).filter(pk=digest_id).first()


def _lock_digest(digest_id: int, *, using: str) -> None:
    # Held until the transaction ends, including when the worker's connection dies. A second
    # run of the same digest waits here, then finds it finished and leaves it alone.
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, digest_id])


def _record_failure(digest_id: int, exc: Exception, *, using: str) -> None:
    reason = _reason(exc)
    if exc.__class__.__name__ == "SoftTimeLimitExceeded":
        reason = _("The import took longer than the worker's time limit.")
    Digest.objects.using(using).filter(pk=digest_id).update(
        status=Digest.Status.FAILED,
        attempts=F("attempts") + 1,
        errors=[{"arxiv_id": "", "reason": reason}],
        papers_done=0,
        papers_new=0,
        papers_updated=0,
        papers_unchanged=0,
        papers_failed=0,
        finished_at=timezone.now(),
    )


def _import(digest: Digest, *, using: str) -> None:
    parsed = parse_digest(digest.content)
    warnings = list(parsed.errors)
    papers: dict[str, tuple[int, ParsedPaper]] = {}
    for position, paper in enumerate(parsed.papers):
        if paper.arxiv_id in papers:  # the parser merges repeats; never write one twice
            warnings.append(f"paper {paper.arxiv_id}: listed twice; the first entry was kept")
            continue
        papers[paper.arxiv_id] = (position, paper)

    digest.date = parsed.date
    digest.format = parsed.format[: Digest._meta.get_field("format").max_length]
    digest.papers_total = len(papers)
    digest.attempts += 1
    digest.started_at = timezone.now()
    seen_on = parsed.date or timezone.localdate(digest.created_at)

    run = _Run()
    # Sorted by id, so concurrent imports lock shared papers in the same order (no deadlock).
    ordered = [papers[key] for key in sorted(papers)]
    progress = _Progress(digest, using=using, enabled=len(ordered) > CHUNK_SIZE)
    try:
        progress.report(
            status=Digest.Status.RUNNING,
            started_at=digest.started_at,
            attempts=digest.attempts,
            papers_total=digest.papers_total,
            papers_done=0,
        )
        for start in range(0, len(ordered), CHUNK_SIZE):
            _write_chunk(digest, ordered[start : start + CHUNK_SIZE], seen_on, run, using)
            progress.report(papers_done=run.done)
    finally:
        progress.close()

    errors: list[dict[str, str]] = []
    if not papers:
        errors.append({"arxiv_id": "", "reason": _("No papers were found in this digest.")})
    errors += run.failures
    imported = run.new + run.updated + run.unchanged
    if imported == 0:
        digest.status = Digest.Status.FAILED
    elif run.failures:
        digest.status = Digest.Status.PARTIAL
    else:
        digest.status = Digest.Status.DONE
    digest.errors = errors
    digest.warnings = warnings
    digest.papers_done = run.done
    digest.papers_new = run.new
    digest.papers_updated = run.updated
    digest.papers_unchanged = run.unchanged
    digest.papers_failed = len(run.failures)
    digest.finished_at = timezone.now()
    # Never the whole row: `content` can be megabytes and does not change.
    digest.save(using=using, update_fields=_RESULT_FIELDS)


def _write_chunk(
    digest: Digest,
    chunk: list[tuple[int, ParsedPaper]],
    seen_on: date,
    run: _Run,
    using: str,
) -> None:
    try:
        with transaction.atomic(using=using):
            outcomes = _write_papers(digest, chunk, seen_on, using)
    except DatabaseError:
        # Replay one paper at a time to find the bad one(s); the rest still import.
        outcomes = []
        for item in chunk:
            try:
                with transaction.atomic(using=using):
                    outcomes += _write_papers(digest, [item], seen_on, using)
            except DatabaseError as exc:
                run.failures.append({"arxiv_id": item[1].arxiv_id, "reason": _reason(exc)})
    for outcome in outcomes:
        run.count(outcome)


def _write_papers(
    digest: Digest,
    items: list[tuple[int, ParsedPaper]],
    seen_on: date,
    using: str,
) -> list[str]:
    """Upsert papers and their summaries with a handful of bulk queries; outcome per paper."""
    ids = [paper.arxiv_id for _position, paper in items]
    # Locked so an organizer's edit in the admin cannot interleave with the fill-in below.
    existing = {
        paper.arxiv_id: paper
        for paper in CandidatePaper.objects.using(using)
        .select_for_update()
        .filter(arxiv_id__in=ids)
        .order_by("arxiv_id")
    }
    summaries = PaperSummary.objects.db_manager(using)
    # What other digests said about the known papers: their search text covers every summary.
    earlier: dict[int, list[tuple[date | None, list[Any]]]] = {}
    if existing:
        for paper_id, day, sections in (
            summaries.filter(paper_id__in=[c.pk for c in existing.values()])
            .exclude(digest=digest)
            .values_list("paper_id", "digest__date", "sections")
        ):
            earlier.setdefault(paper_id, []).append((day, sections))

    to_create: list[CandidatePaper] = []
    to_update: dict[tuple[str, ...], list[CandidatePaper]] = {}
    outcomes: list[str] = []
    candidates: list[tuple[CandidatePaper, dict[str, Any]]] = []
    for position, paper in items:
        values, notes = _paper_values(paper)
        summary_values = _summary_values(paper, position, notes)
        candidate = existing.get(paper.arxiv_id)
        if candidate is None:
            candidate = CandidatePaper(
                arxiv_id=paper.arxiv_id,
                first_digest_date=seen_on,
                last_digest_date=seen_on,
                **values,
            )
            candidate.search_text = _search_text(candidate, [(seen_on, summary_values["sections"])])
            to_create.append(candidate)
            outcomes.append("new")
        else:
            changed = _merge(candidate, values, seen_on)
            # Derived, so not an "update" of the paper; written only when it differs.
            text = _search_text(
                candidate, [(seen_on, summary_values["sections"]), *earlier.get(candidate.pk, ())]
            )
            fields = changed
            if text != candidate.search_text:
                candidate.search_text = text
                fields = (*changed, "search_text")
            if fields:
                to_update.setdefault(fields, []).append(candidate)
            outcomes.append("updated" if changed else "unchanged")
        candidates.append((candidate, summary_values))

    manager = CandidatePaper.objects.db_manager(using)
    manager.bulk_create(to_create)
    now = timezone.now()
    # One UPDATE per set of changed fields: never write back a field this run did not change.
    for fields, papers in to_update.items():
        if fields != ("search_text",):
            for paper in papers:
                paper.updated_at = now
            fields = (*fields, "updated_at")
        manager.bulk_update(papers, list(fields))

    previous: dict[int, PaperSummary] = {}
    if digest.attempts > 1:  # a retry: summaries of the papers that imported last time
        previous = {
            summary.paper_id: summary
            for summary in summaries.filter(
                digest=digest, paper_id__in=[c.pk for c, _values in candidates]
            )
        }
    new_summaries, changed_summaries = [], []
    for candidate, values in candidates:
        summary = previous.get(candidate.pk)
        if summary is None:
            new_summaries.append(PaperSummary(paper=candidate, digest=digest, **values))
        elif any(getattr(summary, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(summary, name, value)
            changed_summaries.append(summary)
    summaries.bulk_create(new_summaries)
    if changed_summaries:
        summaries.bulk_update(changed_summaries, _SUMMARY_FIELDS)
    return outcomes


def _paper_values(paper: ParsedPaper) -> tuple[dict[str, Any], list[str]]:
    """The candidate fields a parsed paper supplies, fitted to the columns; notes on cuts."""
    notes: list[str] = []
    title = (paper.title or "").strip()
    if len(title) > _FIELD_LIMITS["title"]:
        title = title[: _FIELD_LIMITS["title"] - 1] + "…"
        notes.append(f"title longer than {_FIELD_LIMITS['title']} characters was shortened")
    votes = paper.votes
    if votes is not None and not 0 <= votes <= MAX_VOTES:
        notes.append(f"vote count {votes} is out of range and was left out")
        votes = None
    values: dict[str, Any] = {
        "title": title,
        "authors": ", ".join(a.strip() for a in paper.authors if a.strip()),
        "votes": votes,
        "arxiv_url": paper.arxiv_url or f"https://arxiv.org/abs/{paper.arxiv_id}",
    }
    for name, url in (("hf_url", paper.hf_url), ("thumbnail_url", paper.thumbnail)):
        values[name] = url or ""
    for name in ("hf_url", "arxiv_url", "thumbnail_url"):
        url = values[name]
        if url and (len(url) > _FIELD_LIMITS[name] or not url.startswith(("http://", "https://"))):
            notes.append(f"{name.replace('_', ' ')} is not a usable link and was left out")
            values[name] = ""
    return values, notes


def _search_text(candidate: CandidatePaper, summaries: list[tuple[date | None, Any]]) -> str:
    """The candidate's search text from its (digest date, sections) pairs, newest first."""
    ordered = sorted(summaries, key=lambda item: item[0] or date.min, reverse=True)
    return build_search_text(
        arxiv_id=candidate.arxiv_id,
        title=candidate.title,
        authors=candidate.authors,
        summaries=[sections for _day, sections in ordered],
    )


def _summary_values(paper: ParsedPaper, position: int, notes: list[str]) -> dict[str, Any]:
    title = (paper.title or "").strip()
    if len(title) > _SUMMARY_TITLE_LIMIT:
        title = title[: _SUMMARY_TITLE_LIMIT - 1] + "…"
    return {
        "title": title,
        "sections": [section.to_dict() for section in paper.sections],
        "summary_ok": paper.summary_ok,
        "truncated": paper.truncated,
        "problems": [*paper.problems, *notes],
        "position": position,
    }


def _merge(candidate: CandidatePaper, values: dict[str, Any], seen_on: date) -> tuple[str, ...]:
    """Fill the candidate's empty fields and widen its seen dates; the fields changed.

    A field an organizer edited (`edited_fields`) is never touched.
    """
    protected = set(candidate.edited_fields or ())
    changed = []
    for name in CandidatePaper.IMPORTED_FIELDS:
        if name in protected:
            continue
        value = values[name]
        if _is_empty(getattr(candidate, name)) and not _is_empty(value):
            setattr(candidate, name, value)
            changed.append(name)
    first, last = candidate.first_digest_date, candidate.last_digest_date
    if "first_digest_date" not in protected and (first is None or seen_on < first):
        candidate.first_digest_date = seen_on
        changed.append("first_digest_date")
    if "last_digest_date" not in protected and (last is None or seen_on > last):
        candidate.last_digest_date = seen_on
        changed.append("last_digest_date")
    return tuple(changed)


def _is_empty(value: Any) -> bool:
    return value is None or value == ""


def _reason(exc: BaseException) -> str:
    """A one-line reason for the organizers (the database's own message, first line)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{exc.__class__.__name__}: {text}"[:500] if text else exc.__class__.__name__


class _Progress:
    """Writes a running import's status and `papers_done` where other connections see them.

    Best effort: a failure here is logged and never fails the import.
    """

    def __init__(self, digest: Digest, *, using: str, enabled: bool) -> None:
        self.digest_id = digest.pk
        self.connection = None
        self._configured = False
        if enabled and connections[using].vendor == "postgresql":
            # A private connection (not the thread's shared one), closed when the run ends.
            self.connection = connections.create_connection(using)

    def report(self, **values: Any) -> None:
        if self.connection is None:
            return
        quote = self.connection.ops.quote_name
        assignments = ", ".join(f"{quote(name)} = %s" for name in values)
        try:
            with self.connection.cursor() as cursor:
                if not self._configured:
                    # Bounded waits: a progress write must never hold up the import itself.
                    cursor.execute("SET lock_timeout = '2s'")
                    cursor.execute("SET statement_timeout = '5s'")
                    self._configured = True
                cursor.execute(
                    f"UPDATE {quote(Digest._meta.db_table)} SET {assignments} WHERE id = %s",
                    [*values.values(), self.digest_id],
                )
        except DatabaseError:
            logger.warning("Progress of digest %s not recorded", self.digest_id, exc_info=True)
            self.close()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


# --- digest sources -------------------------------------------------------------------------


@dataclass
class PollResult:
    """What one poll of a digest source found."""

    imported: list[Digest] = field(default_factory=list)
    already_imported: int = 0
    not_published: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [_("%(count)d new digest(s)") % {"count": len(self.imported)}]
        if self.already_imported:
            parts.append(_("%(count)d already imported") % {"count": self.already_imported})
        if self.not_published:
            parts.append(_("%(count)d not published yet") % {"count": len(self.not_published)})
        if self.errors:
            parts.append(_("%(count)d error(s)") % {"count": len(self.errors)})
        return ", ".join(parts)


def poll_digest_source(*, source: DigestSource, today: date | None = None) -> PollResult:
    """Import whatever is new at a source; record when it was polled and what went wrong.

    Each digest is imported on its own (one bad file does not hold back the others). For a
    URL template, the last `days_back` dates are tried; a date with no file (404) is normal.
    """
    result = PollResult()
    if source.kind == DigestSource.Kind.FOLDER:
        _poll_folder(source, result)
    else:
        _poll_url(source, result, today or timezone.localdate())
    for digest in result.imported:
        if digest.status == Digest.Status.FAILED:
            reason = "; ".join(e["reason"] for e in digest.errors[:3])
            result.errors.append(
                _("%(origin)s: the import failed (%(reason)s)")
                % {"origin": digest.origin, "reason": reason}
            )
    source.last_polled_at = timezone.now()
    source.last_error = "\n".join(result.errors)
    source.last_result = result.summary()[: DigestSource._meta.get_field("last_result").max_length]
    source.save(update_fields=["last_polled_at", "last_error", "last_result"])
    return result


def _import_from_source(
    *, data: bytes, origin: str, source: DigestSource, result: PollResult
) -> None:
    try:
        digest, _created = store_digest(
            text=decode_digest_bytes(data), origin=origin, source=source
        )
    except ValidationError as exc:
        result.errors.append(f"{origin}: {' '.join(exc.messages)}")
        return
    if digest.status in _RUNNABLE:  # new, or stored earlier and never imported
        result.imported.append(run_digest_import(digest_id=digest.pk) or digest)
    else:
        result.already_imported += 1


def _poll_folder(source: DigestSource, result: PollResult) -> None:
    try:
        folder = sources.source_folder(source.location)  # inside DIGEST_FOLDER_ROOTS only
    except sources.FetchError as exc:
        result.errors.append(str(exc))
        return
    limit = max_digest_bytes()
    try:
        paths = sources.digest_files_in(folder)
    except OSError as exc:
        result.errors.append(f"{folder}: {exc.strerror or exc}")
        return
    for path in paths:
        try:
            data = sources.read_file(sources.source_file(path), max_bytes=limit)
        except sources.FetchError as exc:
            result.errors.append(str(exc))
            continue
        _import_from_source(data=data, origin=str(path), source=source, result=result)


def source_urls(source: DigestSource, today: date) -> list[str]:
    """The URLs one poll tries: a plain URL, or a template for each of the last days."""
    if not sources.is_template(source.location):
        return [source.location]
    days = min(max(1, source.days_back), sources.MAX_DAYS_BACK)
    # Oldest first, so candidates' first/last seen dates follow the digests' order.
    return [
        sources.expand_template(source.location, today - timedelta(days=offset))
        for offset in reversed(range(days))
    ]


def _poll_url(source: DigestSource, result: PollResult, today: date) -> None:
    templated = sources.is_template(source.location)
    urls = source_urls(source, today)
    finished = set(
        Digest.objects.filter(
            origin__in=urls, status__in=[Digest.Status.DONE, Digest.Status.PARTIAL]
        ).values_list("origin", flat=True)
    )
    timeout = float(getattr(settings, "DIGEST_HTTP_TIMEOUT", 20.0))
    for url in urls:
        if templated and url in finished:  # a dated file is published once; skip the download
            result.already_imported += 1
            continue
        try:
            data = sources.fetch_url(url, timeout=timeout, max_bytes=max_digest_bytes())
        except sources.NotPublished as exc:
            if templated:
                result.not_published.append(url)
            else:
                result.errors.append(str(exc))
            continue
        except sources.FetchError as exc:
            result.errors.append(str(exc))
            continue
        _import_from_source(data=data, origin=url, source=source, result=result)


# --- organizer edits ------------------------------------------------------------------------


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


# --- the candidate pool ---------------------------------------------------------------------


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
