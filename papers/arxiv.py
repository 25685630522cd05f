"""arXiv: read a paper reference someone pasted, and fetch the paper's metadata from the arXiv API.

`parse_reference` turns whatever an organizer pastes (an arXiv abs/pdf/html link, a Hugging
Face or alphaxiv paper page, `arXiv:2505.12345`, a bare id, an old-style `hep-th/9901001`) into
a normalized id. Only the id is kept: the server never requests the pasted URL, whatever its
host; the one address it asks is the configured API (`ARXIV_API_URL`, default
`https://export.arxiv.org/api/query`), through the guarded client `seminar.lib.outbound`,
without following redirects.

`fetch_paper` asks the API's Atom feed for one id:

- politely: at most one request per `ARXIV_MIN_INTERVAL` seconds (3, arXiv's guidance for its
  API) in the whole deployment, with the time of the next free turn kept in the Django cache
  (failing open: without a cache each process keeps its own pace only);
- cached per id for a day (metadata of a published paper rarely changes);
- with one error type per outcome, each with a message for users: `InvalidReference`,
  `NotFound` (no entry, or the API's error entry), `Unavailable` (timeout, refused, 5xx, 429
  with its Retry-After, an answer that is not a feed).

The feed is parsed with the standard library's expat, refusing any DTD (so no entity can be
declared, expanded or fetched: no "billion laughs", no external entities). feedparser would
accept DTDs, and defusedxml is not installed; expat with its DTD handlers forbidding is what
defusedxml does.
"""

from __future__ import annotations

import logging
import math
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urlsplit
from xml.parsers import expat

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from papers.digest import normalize_arxiv_id
from seminar.lib import outbound

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
MIN_INTERVAL_SECONDS = 3.0
CACHE_SECONDS = 24 * 60 * 60
# One entry is a few kB; a feed this large is not an answer to a one-id query.
MAX_FEED_BYTES = 1024 * 1024
MAX_REFERENCE_CHARS = 500
# What is stored of a feed's text: the model's title limit, and caps far above real papers.
TITLE_LIMIT = 500
AUTHORS_LIMIT = 10_000
ABSTRACT_LIMIT = 20_000
# A Retry-After beyond this is shown as this (a misconfigured proxy must not say "in a year").
MAX_RETRY_AFTER = 24 * 60 * 60

_NEXT_TURN_KEY = "papers:arxiv:next-request-at"
_PAPER_KEY = "papers:arxiv:paper:v1:{}"

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_NS = "{http://arxiv.org/schemas/atom}"


class ArxivError(Exception):
    """Adding or filling a paper from arXiv failed. `message` is for users (translated)."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(detail or message)
        self.message = message


class InvalidReference(ArxivError):
    """The text is not an arXiv link or id."""


class NotFound(ArxivError):
    """arXiv has no paper with this id."""


class Unavailable(ArxivError):
    """arXiv did not answer usefully now; trying again later may work."""

    def __init__(self, message: str, detail: str = "", retry_after: int | None = None) -> None:
        super().__init__(message, detail)
        self.retry_after = retry_after


@dataclass(frozen=True)
class ArxivPaper:
    """One paper's metadata as the arXiv API gives it (all text cleaned, inert)."""

    arxiv_id: str
    title: str
    authors: tuple[str, ...]
    abstract: str
    published: datetime | None
    updated: datetime | None
    version: int | None  # the latest version, which the feed's entry describes

    @property
    def authors_text(self) -> str:
        return ", ".join(self.authors)[:AUTHORS_LIMIT]

    @property
    def abs_url(self) -> str:
        return abs_url(self.arxiv_id)


def abs_url(arxiv_id: str) -> str:
    """The paper's abstract page on arxiv.org (whatever host the reference named)."""
    return f"https://arxiv.org/abs/{arxiv_id}"


# --- references -------------------------------------------------------------------------------

# The shape of an id with its optional version and ".pdf"; `normalize_arxiv_id` then decides
# whether it is a valid one (month, year, known archive).
_ID_SHAPE = r"(?P<id>[0-9]{4}\.[0-9]{4,5}|[a-z-]{2,12}+(?:\.[A-Z]{2})?/[0-9]{7})(?:v[0-9]{1,3})?"
_PLAIN_RE = re.compile(rf"(?i:arxiv\s*:\s*)?{_ID_SHAPE}")
_URL_PATH_RE = re.compile(
    rf"/(?:abs|pdf|html|papers|overview)/{_ID_SHAPE}(?:\.pdf)?/?",
)
# A URL: with its scheme, or a host name and a slash (`arxiv.org/abs/…`, as often pasted).
_URL_START_RE = re.compile(r"https?://|[a-z0-9.-]+\.[a-z]{2,}(?::[0-9]{1,5})?/", re.I)


def parse_reference(reference: str) -> str:
    """The normalized arXiv id (no version) in a pasted link or id; `InvalidReference` if none.

    The whole text must be one reference: an id found somewhere in a sentence is not taken,
    so a typo never adds a different paper.
    """
    text = (reference or "").replace("\x00", "").strip()
    if not text:
        raise InvalidReference(_("Paste an arXiv link or id."))
    if len(text) > MAX_REFERENCE_CHARS:
        raise InvalidReference(_("This is too long to be an arXiv link or id."))
    match = _PLAIN_RE.fullmatch(text)
    if match is None and _URL_START_RE.match(text):
        url = text if "://" in text else f"https://{text}"
        try:
            parts = urlsplit(url)
        except ValueError:
            parts = None
        if parts is not None and parts.hostname:
            # The query and fragment (?context=cs.CL, #section) say nothing about the paper.
            match = _URL_PATH_RE.fullmatch(parts.path)
    arxiv_id = normalize_arxiv_id(match.group("id")) if match else None
    if not arxiv_id or arxiv_id != match.group("id"):
        raise InvalidReference(
            _(
                "This is not an arXiv link or id. Paste an arxiv.org, huggingface.co/papers or "
                "alphaxiv link, or an id such as 1706.03762 or hep-th/9901001."
            )
        )
    return arxiv_id


# --- fetching ---------------------------------------------------------------------------------


def api_url() -> str:
    return getattr(settings, "ARXIV_API_URL", DEFAULT_API_URL) or DEFAULT_API_URL


def min_interval() -> float:
    return float(getattr(settings, "ARXIV_MIN_INTERVAL", MIN_INTERVAL_SECONDS))


def http_timeout() -> float:
    return float(getattr(settings, "ARXIV_HTTP_TIMEOUT", 15.0))


def fetch_paper(
    arxiv_id: str,
    *,
    max_wait: float = 10.0,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> ArxivPaper:
    """The metadata of `arxiv_id` (normalized, without version), from the cache or the API.

    Waits for this deployment's turn at the API, at most `max_wait` seconds; a longer wait is
    `Unavailable` (arXiv is not down, but we may not ask it now). `clock` and `sleep` are the
    wall clock and the pause, replaceable in tests.
    """
    key = _PAPER_KEY.format(arxiv_id)
    cached = _cache_call(cache.get, key)
    if isinstance(cached, ArxivPaper):
        return cached
    _wait_for_turn(max_wait=max_wait, clock=clock, sleep=sleep)
    body = _request_feed(arxiv_id)
    paper = parse_feed(body, arxiv_id=arxiv_id)
    _cache_call(cache.set, key, paper, CACHE_SECONDS)
    return paper


def _cache_call(method, *args):
    try:
        return method(*args)
    except Exception:  # a cache outage must not stop adding papers
        logger.warning("arXiv: the cache is unavailable", exc_info=True)
        return None


def _wait_for_turn(*, max_wait: float, clock: Callable[[], float], sleep) -> None:
    """Take the next free turn at the API (shared through the cache) and wait for it.

    Two processes reading the same free turn at the very same instant may both take it (the
    cache has no compare-and-set); that rare double is still far from hammering arXiv.
    """
    interval = min_interval()
    now = clock()
    try:
        next_at = cache.get(_NEXT_TURN_KEY)
    except Exception:
        logger.warning("arXiv: no shared turn (cache down); asking without waiting", exc_info=True)
        return
    turn = max(now, float(next_at)) if isinstance(next_at, int | float) else now
    wait = turn - now
    if wait > max_wait:
        seconds = math.ceil(wait)
        raise Unavailable(
            _("Too many arXiv requests at the moment; try again in %(seconds)d seconds.")
            % {"seconds": seconds},
            f"next turn in {wait:.1f} s, more than the {max_wait:g} s allowed",
            retry_after=seconds,
        )
    _cache_call(cache.set, _NEXT_TURN_KEY, turn + interval, math.ceil(interval) + 60)
    if wait > 0:
        sleep(wait)


def _request_feed(arxiv_id: str) -> bytes:
    url = f"{api_url()}?id_list={quote(arxiv_id, safe='/')}&max_results=1"
    down = _("arXiv cannot be reached at the moment; the paper will be filled in later.")
    try:
        response = outbound.fetch(
            url,
            timeout=http_timeout(),
            max_bytes=MAX_FEED_BYTES,
            headers={"Accept": "application/atom+xml"},
            # The API answers in place. A redirect would send this server to an address that
            # is neither the configured API nor one an organizer chose: refuse it.
            follow_redirects=False,
        )
    except outbound.TimedOut as exc:
        raise Unavailable(
            _("arXiv did not answer in time; the paper will be filled in later."), str(exc)
        ) from exc
    except outbound.OutboundError as exc:
        raise Unavailable(down, f"{type(exc).__name__}: {exc}") from exc
    if response.status == 200:
        return response.body
    if response.status in (429, 503) and response.headers.get("Retry-After"):
        seconds = _retry_after(response.headers.get("Retry-After", ""))
        if seconds is not None:
            raise Unavailable(
                _("arXiv asks us to wait; try again in %(seconds)d seconds.")
                % {"seconds": seconds},
                f"HTTP {response.status}, Retry-After {seconds}",
                retry_after=seconds,
            )
    if response.status == 429:
        raise Unavailable(
            _("arXiv asks us to slow down; the paper will be filled in later."), "HTTP 429"
        )
    raise Unavailable(down, f"HTTP {response.status} from the arXiv API")


def _retry_after(value: str, now: datetime | None = None) -> int | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped."""
    value = value.strip()
    if value.isdigit():
        return min(int(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = math.ceil((when - (now or datetime.now(UTC))).total_seconds())
    return min(max(seconds, 0), MAX_RETRY_AFTER)


# --- the Atom feed ----------------------------------------------------------------------------


class _Refused(Exception):
    pass


def _refuse(*_args) -> None:
    raise _Refused("a DTD or entity declaration")


def parse_xml(body: bytes) -> ET.Element:
    """An element tree of `body`, built by expat with every DTD refused (see the module's doc).

    Raises `ValueError` for anything that is not plain well-formed XML.
    """
    if len(body) > MAX_FEED_BYTES:
        raise ValueError("the feed is too large")
    parser = expat.ParserCreate(namespace_separator="}")
    builder = ET.TreeBuilder()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.ordered_attributes = False

    def name(raw: str) -> str:
        return "{" + raw if "}" in raw else raw

    parser.StartElementHandler = lambda tag, attrs: builder.start(
        name(tag), {name(k): v for k, v in attrs.items()}
    )
    parser.EndElementHandler = lambda tag: builder.end(name(tag))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(body, True)
    except (_Refused, expat.ExpatError) as exc:
        raise ValueError(f"not a plain XML feed: {exc}") from exc
    return builder.close()


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE_RE = re.compile(r"\s+")
_VERSION_RE = re.compile(r"v([0-9]{1,3})$")


def _one_line(text: str | None, limit: int) -> str:
    return _SPACE_RE.sub(" ", _CONTROL_RE.sub("", text or "")).strip()[:limit]


def _paragraphs(text: str | None, limit: int) -> str:
    """The abstract: its lines joined (the API wraps them), blank lines kept as paragraphs."""
    text = _CONTROL_RE.sub("", text or "").strip()
    paragraphs = [_SPACE_RE.sub(" ", p).strip() for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)[:limit]


def _date(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_feed(body: bytes, *, arxiv_id: str) -> ArxivPaper:
    """The paper `arxiv_id` from an API answer; `NotFound` if the feed does not have it,
    `Unavailable` if the answer is not a feed at all."""
    try:
        root = parse_xml(body)
    except ValueError as exc:
        raise Unavailable(
            _("arXiv's answer could not be read; the paper will be filled in later."), str(exc)
        ) from exc
    if root.tag != f"{ATOM}feed":
        raise Unavailable(
            _("arXiv's answer could not be read; the paper will be filled in later."),
            f"root element {root.tag!r}",
        )
    missing = NotFound(
        _("arXiv has no paper with the id %(id)s.") % {"id": arxiv_id}, f"{arxiv_id}: no entry"
    )
    for entry in root.iterfind(f"{ATOM}entry"):
        entry_id = (entry.findtext(f"{ATOM}id") or "").strip()
        if "/api/errors" in entry_id:  # the API's way to say "no such id" or "bad id"
            raise NotFound(missing.message, f"{arxiv_id}: {entry.findtext(f'{ATOM}summary')}")
        found = normalize_arxiv_id(entry_id)
        if found != arxiv_id:
            continue
        title = _one_line(entry.findtext(f"{ATOM}title"), TITLE_LIMIT)
        if not title:
            continue  # the old API's empty entry for an id that does not exist
        version = _VERSION_RE.search(entry_id)
        return ArxivPaper(
            arxiv_id=arxiv_id,
            title=title,
            authors=tuple(
                name
                for author in entry.iterfind(f"{ATOM}author")
                if (name := _one_line(author.findtext(f"{ATOM}name"), 300))
            ),
            abstract=_paragraphs(entry.findtext(f"{ATOM}summary"), ABSTRACT_LIMIT),
            published=_date(entry.findtext(f"{ATOM}published")),
            updated=_date(entry.findtext(f"{ATOM}updated")),
            version=int(version.group(1)) if version else None,
        )
    raise missing
