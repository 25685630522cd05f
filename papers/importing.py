"""The import engine: one stored digest's text parsed and written as candidate papers.

`papers.services.store_digest` saves a digest's normalized text as a *pending* `Digest` row and
commits it (keyed by the text's sha256, so the same file is only ever stored once). This module
runs the import of such a row; `papers.services` and `papers.polling` decide when.

How an import stays atomic and still shows its progress
-------------------------------------------------------
1. `run_digest_import` parses the stored text and writes the papers, their summaries and the
   digest's final status and counts in ONE transaction. A worker killed halfway rolls all of
   it back: the row stays pending (or running) with its content, and a retry (or Celery
   redelivering the late-acked task) runs it again from the start. On PostgreSQL a
   transaction-scoped advisory lock keeps two runs of one digest from overlapping.
2. Papers are written in chunks with bulk queries, each chunk under a savepoint. If a chunk
   fails in the database, it is rolled back and replayed paper by paper, each under its own
   savepoint: the bad paper is recorded in `Digest.errors` with the reason, the others import.
   Each paper's `search_text` (see `papers.search`: its fields and every summary it has) is
   written by the same bulk queries.
3. Progress (`status=running`, `papers_done`) written by the import's own connection would be
   invisible until the commit. On PostgreSQL it goes through a second, autocommit connection
   that only updates non-key columns of the digest row, which does not conflict with the
   FOR KEY SHARE locks the summaries' foreign keys take. SQLite allows one writer at a time,
   so there the status changes at the commit only (imports there are small and in-process).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import DatabaseError, connections, router, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from papers.digest import STOP_NOTE_PREFIX, ParsedPaper, parse_digest
from papers.digest.types import EntryFailure
from papers.models import CandidatePaper, Digest, PaperSummary
from papers.search import build_search_text

logger = logging.getLogger(__name__)

# Papers written per bulk round trip, and between two progress reports.
CHUNK_SIZE = 500
# PostgreSQL `integer`, the column behind PositiveIntegerField.
MAX_VOTES = 2_147_483_647
# A digest in one of these is still owed its import (new, or interrupted).
RUNNABLE = (Digest.Status.PENDING, Digest.Status.RUNNING)
# Namespace of the advisory locks taken per digest (any constant unlikely to clash).
_LOCK_NAMESPACE = 0x5E3D
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
            if digest is None or digest.status not in RUNNABLE:
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


def _entry_failure(failure: EntryFailure) -> dict[str, str]:
    """A digest entry that looks like a paper but could not be read, as an error row in the
    reader's language (the parser gives a stable reason code and the entry's own words)."""
    what = failure.title or failure.ref
    if failure.reason == EntryFailure.NO_ID:
        reason = _(
            'Line %(line)s: the entry "%(what)s" looks like a paper but has no valid arXiv id; '
            "it was not imported."
        ) % {"line": failure.line, "what": what}
    else:
        reason = _('Line %(line)s: the entry "%(what)s" could not be read.') % {
            "line": failure.line,
            "what": what,
        }
    return {"arxiv_id": "", "line": str(failure.line), "reason": reason}


def _import(digest: Digest, *, using: str) -> None:
    parsed = parse_digest(digest.content)
    # The parser's English note for each lost entry is shown as a translated error row instead.
    lost_lines = {f"line {failure.line}:" for failure in parsed.failures}
    warnings = [w for w in parsed.errors if not any(str(w).startswith(x) for x in lost_lines)]
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
    lost = [_entry_failure(failure) for failure in parsed.failures]
    if not papers and not lost:
        errors.append({"arxiv_id": "", "reason": _("No papers were found in this digest.")})
    errors += lost
    errors += run.failures
    imported = run.new + run.updated + run.unchanged
    if imported == 0:
        digest.status = Digest.Status.FAILED
    elif run.failures or lost or any(str(w).startswith(STOP_NOTE_PREFIX) for w in warnings):
        # Entries the parser could not read, or a parse cut short by its budget or limits:
        # "completed with errors", never a plain "done".
        digest.status = Digest.Status.PARTIAL
    else:
        digest.status = Digest.Status.DONE
    digest.errors = errors
    digest.warnings = warnings
    digest.papers_done = run.done
    digest.papers_new = run.new
    digest.papers_updated = run.updated
    digest.papers_unchanged = run.unchanged
    digest.papers_failed = len(run.failures) + len(lost)
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
