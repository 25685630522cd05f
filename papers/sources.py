"""Reading digests from where they are published: a folder or an HTTP(S) URL.

Plain helpers with no database access: they turn a location into bytes or a clear error.
`papers.polling.poll_digest_source` decides what to import and records the outcome.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from seminar.lib import outbound

logger = logging.getLogger(__name__)

DIGEST_SUFFIXES = (".md", ".txt")
USER_AGENT = "Seminar-digest-importer/1.0"
# A URL template is fetched once per date looked back: a bound on one poll's work.
MAX_DAYS_BACK = 14
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
    """Why a source's location cannot work, or None. Used by the model's `clean()`.

    A URL's host name is not looked up here (its answer may change by the time of the fetch,
    which checks again); a literal address, or a name that means this machine, is judged now.
    """
    location = location.strip()
    if not location:
        return _("Enter a location.")
    if kind == "folder":
        if not Path(location).is_absolute():
            return _("Enter an absolute folder path on the server.")
        return folder_problem(location)
    try:
        parts = urlsplit(_DATE_PLACEHOLDER_RE.sub("2000-01-01", location))
        port = parts.port
    except ValueError:
        return _("Enter an http:// or https:// URL.")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("Enter an http:// or https:// URL.")
    if kind == "hf_api" and ("{" in location or "}" in location):
        return _("The Hugging Face API's base URL takes no placeholder: the date is added.")
    if "{" in _DATE_PLACEHOLDER_RE.sub("", location) or "}" in _DATE_PLACEHOLDER_RE.sub(
        "", location
    ):
        return _("The only placeholder a URL may hold is {date} (or {date:%Y%m%d} and such).")
    if parts.username is not None or parts.password is not None:
        return _("A URL with a user name or password in it is not supported.")
    host = parts.hostname.rstrip(".")
    address = outbound.literal_address(host)
    if address is None and (host == "localhost" or host.endswith(".localhost")):
        address = outbound.literal_address("127.0.0.1")  # RFC 6761: always this machine
    if address is not None and not outbound.address_allowed(
        address, port or (443 if parts.scheme == "https" else 80)
    ):
        return _(
            "The address %(host)s is not allowed: digest sources must be on public servers."
        ) % {"host": host}
    return None


# --- folders --------------------------------------------------------------------------------
#
# A folder source reads whatever *.md/*.txt lies in the folder; an organizer must not be able
# to point it at /home or /etc. Only folders inside `DIGEST_FOLDER_ROOTS` (absolute paths the
# operator sets; none by default, which turns folder sources off) are read, judged after
# resolving `..` and symlinks, for the folder and again for every file in it.


def folder_roots() -> list[Path]:
    """The configured roots, resolved; relative entries are ignored."""
    roots = getattr(settings, "DIGEST_FOLDER_ROOTS", ()) or ()
    return [Path(os.path.realpath(root)) for root in roots if Path(root).is_absolute()]


def allowed_path(path: Path | str) -> Path | None:
    """The real path of `path` (`..` and symlinks resolved) if it lies in a root, else None."""
    try:
        real = Path(os.path.realpath(path))
    except (OSError, ValueError):  # a NUL byte in the path, a symlink loop under strict mode
        return None
    return real if any(real.is_relative_to(root) for root in folder_roots()) else None


def folder_problem(location: str) -> str | None:
    roots = folder_roots()
    if not roots:
        return _("Folder sources are turned off on this server (no DIGEST_FOLDER_ROOTS set).")
    if allowed_path(location) is None:
        return _("This folder is not allowed: a folder source must lie inside %(roots)s.") % {
            "roots": ", ".join(map(str, roots))
        }
    return None


def source_folder(location: str) -> Path:
    """The folder a source names, checked against the roots before anything else is looked
    at (whether a path outside them exists is none of the organizers' business)."""
    if not Path(location).is_absolute() or allowed_path(location) is None:
        raise FetchError(_("%(folder)s: this folder is not allowed.") % {"folder": location})
    folder = Path(location)
    if not folder.is_dir():
        raise FetchError(_("%(folder)s is not a folder on the server.") % {"folder": folder})
    return folder


def source_file(path: Path) -> Path:
    """The real path of a file listed in a source folder, if it stays inside the roots (a
    symlink may lead out of them)."""
    real = allowed_path(path)
    if real is None:
        raise FetchError(_("%(name)s: this file is not allowed.") % {"name": path})
    return real


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

# What organizers read when a fetch fails: one fixed sentence per kind of failure. The detail
# (which address, "Connection refused" or a timeout, the server's words) goes to the log only:
# shown, it would tell which internal hosts and ports exist.
_FAILURES: dict[type[outbound.OutboundError], str] = {
    outbound.AddressNotAllowed: gettext_noop(
        "%(url)s could not be fetched: the address is not allowed."
    ),
    outbound.ConnectFailed: gettext_noop("%(url)s could not be fetched: could not connect."),
    outbound.TimedOut: gettext_noop("%(url)s could not be fetched: timed out after %(seconds)s s."),
    outbound.TooLarge: gettext_noop(
        "%(url)s could not be fetched: the file is larger than the limit of %(limit)s bytes."
    ),
    outbound.TooManyRedirects: gettext_noop("%(url)s could not be fetched: too many redirects."),
    outbound.InvalidURL: gettext_noop("%(url)s could not be fetched: the URL is not valid."),
    outbound.BadResponse: gettext_noop("%(url)s could not be fetched: no valid HTTP answer."),
}


def fetch_url(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    accept: str = "text/markdown, text/plain;q=0.9, */*;q=0.5",
) -> bytes:
    """GET `url` and return the body, within `timeout` seconds overall and `max_bytes`.

    Only public addresses are reached (see `seminar.lib.outbound`). Raises `NotPublished` for
    404/410 and `FetchError`, with a message fit for organizers, for anything else.
    """
    try:
        response = outbound.fetch(
            url,
            timeout=timeout,
            max_bytes=max_bytes,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": accept,
            },
        )
    except outbound.OutboundError as exc:
        logger.warning("Digest URL %s could not be fetched: %s: %s", url, type(exc).__name__, exc)
        message = _FAILURES.get(type(exc), _FAILURES[outbound.BadResponse])
        raise FetchError(
            _(message) % {"url": url, "seconds": f"{timeout:g}", "limit": max_bytes}
        ) from exc
    if response.status in (404, 410):
        raise NotPublished(
            _("%(url)s: not published (HTTP %(code)s).") % {"url": url, "code": response.status}
        )
    if not 200 <= response.status < 300:
        logger.warning(
            "Digest URL %s answered HTTP %s (final URL %s)",
            url,
            response.status,
            response.final_url,
        )
        raise FetchError(
            _("%(url)s could not be fetched: HTTP %(code)s.")
            % {"url": url, "code": response.status}
        )
    return response.body
