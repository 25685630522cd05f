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

from papers import sources
from papers.importing import RUNNABLE, run_digest_import
from papers.models import Digest, DigestSource
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
