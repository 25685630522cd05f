"""Polling digest sources: import whatever is new in a folder or at a URL (template).

`papers.sources` turns a location into bytes or a clear error; this module decides what to
import, imports it and records the outcome on the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from papers import hf_api, sources
from papers.importing import RUNNABLE, run_digest_import
from papers.models import BackfillRun, Digest, DigestSource
from papers.services import store_digest
from papers.text import decode_digest_bytes, max_digest_bytes


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
    URL template or the Hugging Face API, the last `days_back` dates are tried; a date with no
    file (404, or no papers) is normal.
    """
    result = PollResult()
    if source.kind == DigestSource.Kind.FOLDER:
        _poll_folder(source, result)
    elif source.kind == DigestSource.Kind.HF_API:
        _poll_hf_api(source, result, today or timezone.localdate())
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
    if digest.status in RUNNABLE:  # new, or stored earlier and never imported
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


# --- dated sources: one date at a time (the Hugging Face API, and backfills) ----------------

# The Hub's list for a date keeps changing for a day or so (papers are added, votes counted):
# a date is fetched again until a digest of it was taken this many days after it.
HF_SETTLED_AFTER_DAYS = 2
HF_ACCEPT = "application/json"


@dataclass
class DayResult:
    """What fetching one date of a dated source gave (a `BackfillRun.Outcome` value)."""

    outcome: str
    url: str
    detail: str = ""
    digest: Digest | None = None
    # Entries of the answer that could not be imported (no arXiv id), for the organizers.
    problems: list[str] = field(default_factory=list)


def dated_url(source: DigestSource, day: date) -> str:
    if source.kind == DigestSource.Kind.HF_API:
        return hf_api.day_url(source.location or hf_api.DEFAULT_BASE_URL, day)
    return sources.expand_template(source.location, day)


def _already_imported(source: DigestSource, url: str, day: date) -> bool:
    finished = Digest.objects.filter(
        origin=url, status__in=[Digest.Status.DONE, Digest.Status.PARTIAL]
    )
    if source.kind != DigestSource.Kind.HF_API:
        return finished.exists()  # a dated file is published once
    created = finished.values_list("created_at", flat=True)
    settled = day + timedelta(days=HF_SETTLED_AFTER_DAYS)
    return any(timezone.localdate(when) >= settled for when in created)


def import_day(*, source: DigestSource, day: date) -> DayResult:
    """Fetch and import one date of a dated source (URL template or Hugging Face API).

    Never raises for what the server or the content does: the outcome says what happened.
    """
    outcome = BackfillRun.Outcome
    url = dated_url(source, day)
    if _already_imported(source, url, day):
        return DayResult(outcome.ALREADY, url)
    is_hf = source.kind == DigestSource.Kind.HF_API
    limit = max_digest_bytes()
    try:
        data = sources.fetch_url(
            url,
            timeout=float(getattr(settings, "DIGEST_HTTP_TIMEOUT", 20.0)),
            max_bytes=limit,
            **({"accept": HF_ACCEPT} if is_hf else {}),
        )
    except sources.NotPublished as exc:
        return DayResult(outcome.NOT_PUBLISHED, url, str(exc))
    except sources.FetchError as exc:
        return DayResult(outcome.FAILED, url, str(exc))
    problems: list[str] = []
    if is_hf:
        try:
            daily = hf_api.parse_answer(data, day=day, max_bytes=limit)
        except hf_api.AnswerError as exc:
            return DayResult(outcome.FAILED, url, f"{url}: {exc}")
        if not daily.papers:
            return DayResult(outcome.NOT_PUBLISHED, url, _("%(url)s: no papers.") % {"url": url})
        lost = daily.without_id
        if lost:
            # Also in the digest as entries the importer reports; said here too, because
            # the source's page is where organizers look after a poll.
            problems.append(
                _("%(url)s: %(count)d entries without an arXiv id: %(titles)s")
                % {
                    "url": url,
                    "count": len(lost),
                    "titles": "; ".join(p.title or "?" for p in lost[:5]),
                }
            )
        text = hf_api.digest_text(daily)
    else:
        text = decode_digest_bytes(data)
    try:
        digest, _created = store_digest(text=text, origin=url, source=source)
    except ValidationError as exc:
        return DayResult(outcome.FAILED, url, f"{url}: {' '.join(exc.messages)}")
    if digest.status not in RUNNABLE:
        return DayResult(outcome.ALREADY, url, digest=digest, problems=problems)
    digest = run_digest_import(digest_id=digest.pk) or digest
    if digest.status == Digest.Status.FAILED:
        reason = "; ".join(str(e.get("reason", "")) for e in digest.errors[:3])
        detail = _("%(origin)s: the import failed (%(reason)s)") % {
            "origin": url,
            "reason": reason,
        }
        return DayResult(outcome.FAILED, url, detail, digest=digest, problems=problems)
    return DayResult(outcome.IMPORTED, url, digest=digest, problems=problems)


def _poll_hf_api(source: DigestSource, result: PollResult, today: date) -> None:
    days = min(max(1, source.days_back), sources.MAX_DAYS_BACK)
    for offset in reversed(range(days)):  # oldest first, as for URL templates
        day_result = import_day(source=source, day=today - timedelta(days=offset))
        result.errors.extend(day_result.problems)
        if day_result.digest is not None and day_result.outcome != BackfillRun.Outcome.ALREADY:
            result.imported.append(day_result.digest)  # a failed import is reported above
        elif day_result.outcome == BackfillRun.Outcome.ALREADY:
            result.already_imported += 1
        elif day_result.outcome == BackfillRun.Outcome.NOT_PUBLISHED:
            result.not_published.append(day_result.url)
        else:
            result.errors.append(day_result.detail)
