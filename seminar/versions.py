"""The data version, and caches that cannot serve a stale page.

Every write to a table of the seminar, reviews and papers apps replaces one token, the
`content` row of `seminar_dataversion`, inside the writing transaction. Pages cache what is
costly to build (fragments of HTML, a calendar feed's bytes) under keys that hold the token,
and HTTP answers `304 Not Modified` from it, so:

- nothing stale can be served: a reader gets either the token from before a write with the
  data from before it, or the new token; a cache entry is only ever found under the token the
  data was read with;
- nothing needs to be invalidated by hand: code paths that write with `QuerySet.update()`,
  `bulk_create`, raw SQL, the admin or a migration bump the token like `save()` does, because
  triggers in the database do it, installed on every table of those apps after each
  `migrate` (`install_triggers`, from `post_migrate`), so a new model is covered without
  anyone remembering to;
- a cache that is down costs speed, not correctness: a miss builds the page from the database.

What does not bump the token: a review draft's text (the editor's autosave, seen only by its
author). A draft being created or deleted does (the organizers' board shows it).

On PostgreSQL the triggers are deferred constraint triggers: they run at commit, once per
transaction (a transaction-local setting remembers it), after every other lock is taken, so
two writers cannot deadlock on the token's row. A read inside a transaction (tests, or a view
that writes and then renders) fires the pending triggers first (`SET CONSTRAINTS … IMMEDIATE`).
On SQLite, which has one writer at a time, they are plain row triggers.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from django.apps import apps
from django.core.cache import cache
from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

CONTENT = "content"
TRACKED_APPS = ("seminar", "reviews", "papers")
# Tables whose writes never change what a page shows; everything else in TRACKED_APPS bumps.
UNTRACKED_TABLES = frozenset({"seminar_dataversion"})
TRIGGER = "seminar_version"
FUNCTION = "seminar_version_bump"
# Entries of old versions are never read again: a short life bounds what a busy hour of writes
# (an import, a deadline evening) leaves in the cache; a current one is rebuilt once a while.
FRAGMENT_TIMEOUT = 15 * 60

T = TypeVar("T")


@dataclass(frozen=True)
class Version:
    token: str
    changed_at: datetime | None


def tracked_tables() -> list[str]:
    """Every table of the tracked apps (many-to-many tables too) but the untracked ones."""
    tables = set()
    for label in TRACKED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            meta = model._meta
            if meta.managed and not meta.proxy and meta.db_table not in UNTRACKED_TABLES:
                tables.add(meta.db_table)
    return sorted(tables)


# --- the triggers -------------------------------------------------------------------------

# Which writes of a review are its draft's own business: a draft's text changing (an update
# that leaves it a draft, and its sections). Written once per dialect below.
_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    review integer;
BEGIN
    IF current_setting('seminar.version_bumped', true) = 'y' THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'TRUNCATE' AND TG_TABLE_NAME = 'reviews_review' THEN
        IF TG_OP = 'UPDATE' AND OLD.status = 'draft' AND NEW.status = 'draft' THEN
            RETURN NULL;
        END IF;
    ELSIF TG_OP <> 'TRUNCATE' AND TG_TABLE_NAME = 'reviews_reviewsection' THEN
        IF TG_OP = 'DELETE' THEN review := OLD.review_id; ELSE review := NEW.review_id; END IF;
        IF NOT EXISTS (
            SELECT 1 FROM reviews_review WHERE id = review AND status <> 'draft'
        ) THEN
            RETURN NULL;
        END IF;
    END IF;
    INSERT INTO seminar_dataversion (scope, token, changed_at)
    VALUES ('{CONTENT}', md5(random()::text || clock_timestamp()::text), clock_timestamp())
    ON CONFLICT (scope) DO UPDATE SET token = EXCLUDED.token, changed_at = EXCLUDED.changed_at;
    PERFORM set_config('seminar.version_bumped', 'y', true);
    RETURN NULL;
END
$$;
"""

_SQLITE_BUMP = (
    "INSERT OR REPLACE INTO seminar_dataversion (scope, token, changed_at) "
    f"VALUES ('{CONTENT}', lower(hex(randomblob(16))), strftime('%Y-%m-%d %H:%M:%f', 'now'));"
)
_SQLITE_CONDITIONS = {
    ("reviews_review", "UPDATE"): "WHEN OLD.status <> 'draft' OR NEW.status <> 'draft'",
    ("reviews_reviewsection", "INSERT"): (
        "WHEN EXISTS (SELECT 1 FROM reviews_review WHERE id = NEW.review_id AND status <> 'draft')"
    ),
    ("reviews_reviewsection", "UPDATE"): (
        "WHEN EXISTS (SELECT 1 FROM reviews_review WHERE id = NEW.review_id AND status <> 'draft')"
    ),
    ("reviews_reviewsection", "DELETE"): (
        "WHEN EXISTS (SELECT 1 FROM reviews_review WHERE id = OLD.review_id AND status <> 'draft')"
    ),
}


def install_triggers(connection: BaseDatabaseWrapper | None = None) -> int:
    """(Re)create the version triggers on every tracked table; returns how many tables."""
    connection = connection or default_connection
    tables = tracked_tables()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
            for table in tables:
                # Constraint triggers cannot be replaced in place.
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(table)}")
                cursor.execute(
                    f"CREATE CONSTRAINT TRIGGER {TRIGGER} "
                    f"AFTER INSERT OR UPDATE OR DELETE ON {quote(table)} "
                    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                    f"EXECUTE FUNCTION {FUNCTION}()"
                )
                # Emptying a table (Django's flush in tests) is a change too.
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {TRIGGER}_truncate AFTER TRUNCATE ON "
                    f"{quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
                )
        elif connection.vendor == "sqlite":
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    name = quote(f"{TRIGGER}_{table}_{event.lower()}")
                    condition = _SQLITE_CONDITIONS.get((table, event), "")
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(
                        f"CREATE TRIGGER {name} AFTER {event} ON {quote(table)} "
                        f"{condition} BEGIN {_SQLITE_BUMP} END"
                    )
        else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
            raise NotImplementedError(f"no version triggers for {connection.vendor}")
    return len(tables)


def untriggered_tables(connection: BaseDatabaseWrapper | None = None) -> list[str]:
    """Tracked tables without their trigger (a check for tests and deployments)."""
    connection = connection or default_connection
    tables = tracked_tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s",
                [TRIGGER],
            )
            present = {row[0] for row in cursor.fetchall()}
            return [t for t in tables if t not in present]
        cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        names = {(row[0], row[1]) for row in cursor.fetchall()}
        return [
            t
            for t in tables
            if any((t, f"{TRIGGER}_{t}_{e}") not in names for e in ("insert", "update", "delete"))
        ]


# --- reading it -----------------------------------------------------------------------------


def current(connection: BaseDatabaseWrapper | None = None) -> Version:
    """The content's version now: one short query."""
    connection = connection or default_connection
    select = f"SELECT token, changed_at FROM seminar_dataversion WHERE scope = '{CONTENT}'"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # Writes earlier in this transaction have their triggers pending until commit:
            # fire them now so the token read below covers them, then let later writes wait
            # for the commit again (and bump again: the once-per-transaction mark is reset).
            # One round trip; the last statement's rows are the cursor's last result set.
            cursor.execute(
                f"SET CONSTRAINTS {TRIGGER} IMMEDIATE; SET CONSTRAINTS {TRIGGER} DEFERRED; "
                f"SELECT set_config('seminar.version_bumped', '', true); {select}"
            )
            while cursor.nextset():
                pass
        else:
            cursor.execute(select)
        row = cursor.fetchone()
    if row is None:
        return Version(token="none", changed_at=None)
    changed_at = row[1]
    if isinstance(changed_at, str):  # SQLite without the converter (raw cursor)
        changed_at = datetime.fromisoformat(changed_at)
    if changed_at is not None and timezone.is_naive(changed_at):
        changed_at = timezone.make_aware(changed_at, UTC)
    return Version(token=row[0], changed_at=changed_at)


def _digest(parts: Iterable[object]) -> str:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=12).hexdigest()


def fragment_key(name: str, version: Version, *parts: object) -> str:
    """A cache key for what was built from the data at `version`, in this request's language
    and time zone (the two things every rendered fragment may depend on besides its parts)."""
    language = translation.get_language() or ""
    zone = timezone.get_current_timezone_name()
    return f"v:{name}:{version.token}:{_digest((language, zone, *parts))}"


_MISSING = object()


def cached(
    name: str,
    *parts: object,
    build: Callable[[], T],
    version: Version | None = None,
    timeout: int = FRAGMENT_TIMEOUT,
) -> T:
    """What `build()` returns for the data at `version` (read now if not given), from the
    cache when it was built before. `parts` are everything else the result depends on: the
    viewer when it shows their own things, a page number, a query."""
    version = version or current()
    key = fragment_key(name, version, *parts)
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(key, value, timeout)
    return value


def etag(version: Version, *parts: object) -> str:
    """A strong ETag for a response built from the data at `version` and `parts`."""
    return '"' + _digest((version.token, *parts)) + '"'


# A form's CSRF token differs per visitor (and per sign-in): cached HTML holds this marker in
# its place, and each response gets the visitor's own token put back.
CSRF_MARKER = "csrf0marker0for0cached0html0fragment0"
# One-time form tokens (`seminar.forms.OneTimeTokenMixin`) tell a form sent twice from two
# forms: each response draws its own, as an uncached page would.
_FORM_TOKEN = re.compile(r'(name="form_token" value=")[0-9a-f-]{36}(")')


def cached_html(
    request: HttpRequest,
    name: str,
    *parts: object,
    template: str,
    context: Callable[[], dict],
    version: Version | None = None,
) -> SafeString:
    """`template` rendered with `context()` for the data at `version`, from the cache when it
    was rendered before. The fragment may hold forms: their CSRF token is the visitor's, and
    their one-time tokens are new in every response.

    `parts` must name everything else the HTML depends on: the viewer (`request.user.pk`)
    when it shows their own things or buttons only some may press. Language and time zone
    are part of the key already."""

    def render() -> str:
        return render_to_string(template, {**context(), "csrf_token": CSRF_MARKER}, request)

    html = visitors_own(cached(name, *parts, build=render, version=version), request)
    return mark_safe(html)  # rendered by our own template, escaped there


def visitors_own(html: str, request: HttpRequest) -> str:
    """HTML rendered once for many made this visitor's: their CSRF token where the marker
    is, and new one-time form tokens."""
    if CSRF_MARKER in html:
        html = html.replace(CSRF_MARKER, get_token(request))
    if 'name="form_token"' in html:
        html = _FORM_TOKEN.sub(lambda match: f"{match[1]}{uuid.uuid4()}{match[2]}", html)
    return html
