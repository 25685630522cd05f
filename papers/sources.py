"""Reading digests from where they are published: a folder or an HTTP(S) URL.

Plain helpers with no database access: they turn a location into bytes or a clear error.
`papers.services.poll_digest_source` decides what to import and records the outcome.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

DIGEST_SUFFIXES = (".md", ".txt")
USER_AGENT = "Seminar-digest-importer/1.0"
_READ_CHUNK = 64 * 1024
# `{date}` (ISO, 2025-05-26) or `{date:%Y%m%d}` (any strftime format).
_DATE_PLACEHOLDER_RE = re.compile(r"\{date(?::(?P<fmt>[^{}]*))?\}")


class FetchError(Exception):
    """A digest could not be read; the message says why, for the organizers."""


class NotPublished(FetchError):
    """The server has no file there (404/410): usually a date whose digest is not out yet."""


# --- locations ------------------------------------------------------------------------------


def is_template(location: str) -> bool:
    return bool(_DATE_PLACEHOLDER_RE.search(location))


def expand_template(location: str, day: date) -> str:
    def replace(match: re.Match[str]) -> str:
        fmt = match.group("fmt")
        return day.strftime(fmt) if fmt else day.isoformat()

    return _DATE_PLACEHOLDER_RE.sub(replace, location)


def location_problem(*, kind: str, location: str) -> str | None:
    """Why a source's location cannot work, or None. Used by the model's `clean()`."""
    location = location.strip()
    if not location:
        return _("Enter a location.")
    if kind == "folder":
        if not Path(location).is_absolute():
            return _("Enter an absolute folder path on the server.")
        return None
    parts = urlsplit(_DATE_PLACEHOLDER_RE.sub("2000-01-01", location))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return _("Enter an http:// or https:// URL.")
    if "{" in _DATE_PLACEHOLDER_RE.sub("", location) or "}" in _DATE_PLACEHOLDER_RE.sub(
        "", location
    ):
        return _("The only placeholder a URL may hold is {date} (or {date:%Y%m%d} and such).")
    return None


# --- folders --------------------------------------------------------------------------------


def digest_files_in(folder: Path) -> list[Path]:
    """The digest files directly in `folder` (*.md, *.txt), by name."""
    return sorted(
        path
        for path in folder.iterdir()
        if path.suffix.lower() in DIGEST_SUFFIXES and path.is_file()
    )


def read_file(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of a digest file, refusing anything over `max_bytes`."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FetchError(
                _("%(name)s is larger than the limit of %(limit)s bytes.")
                % {"name": path, "limit": max_bytes}
            )
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise FetchError(
            _("%(name)s could not be read: %(reason)s")
            % {"name": path, "reason": exc.strerror or exc}
        ) from exc
    if len(data) > max_bytes:  # it grew while we looked
        raise FetchError(
            _("%(name)s is larger than the limit of %(limit)s bytes.")
            % {"name": path, "limit": max_bytes}
        )
    return data


# --- HTTP -----------------------------------------------------------------------------------


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only: a digest URL must never lead to ftp:// or file://."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, f"redirect to {newurl}", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


def fetch_url(url: str, *, timeout: float, max_bytes: int) -> bytes:
    """GET `url` and return the body, within `timeout` seconds overall and `max_bytes`.

    Raises `NotPublished` for 404/410 and `FetchError` for anything else that goes wrong.
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(_("%(url)s: only http:// and https:// URLs are fetched.") % {"url": url})
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "text/markdown, text/plain;q=0.9, */*;q=0.5",
        },
    )
    deadline = time.monotonic() + timeout
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise FetchError(_too_large(url, max_bytes))
            return b"".join(_read_body(response, url, deadline, timeout, max_bytes))
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 410):
            raise NotPublished(
                _("%(url)s: not published (HTTP %(code)s).") % {"url": url, "code": exc.code}
            ) from exc
        raise FetchError(
            _("%(url)s: the server answered HTTP %(code)s %(reason)s.")
            % {"url": url, "code": exc.code, "reason": exc.reason}
        ) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise FetchError(_timed_out(url, timeout)) from exc
        raise FetchError(
            _("%(url)s: could not connect (%(reason)s).") % {"url": url, "reason": exc.reason}
        ) from exc
    except TimeoutError as exc:
        raise FetchError(_timed_out(url, timeout)) from exc
    except (http.client.HTTPException, OSError) as exc:
        raise FetchError(
            _("%(url)s: the download failed (%(reason)s).")
            % {"url": url, "reason": exc.__class__.__name__}
        ) from exc


def _read_body(
    response, url: str, deadline: float, timeout: float, max_bytes: int
) -> Iterable[bytes]:
    # The socket timeout bounds each read; the deadline bounds a server that drips bytes.
    received = 0
    while True:
        chunk = response.read(_READ_CHUNK)
        if not chunk:
            return
        received += len(chunk)
        if received > max_bytes:
            raise FetchError(_too_large(url, max_bytes))
        if time.monotonic() > deadline:
            raise FetchError(_timed_out(url, timeout))
        yield chunk


def _too_large(url: str, max_bytes: int) -> str:
    return _("%(url)s: the file is larger than the limit of %(limit)s bytes.") % {
        "url": url,
        "limit": max_bytes,
    }


def _timed_out(url: str, timeout: float) -> str:
    return _("%(url)s: no complete answer within %(seconds)s seconds.") % {
        "url": url,
        "seconds": f"{timeout:g}",
    }
