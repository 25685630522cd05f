"""`make bench`: Seminar under load on PostgreSQL, with five years of data.

From a fresh clone: creates its own database (`seminar_bench`, or `BENCH_DATABASE_URL`),
migrates, generates the data if absent (`generate_fake_data --if-absent`), collects static
files, serves the app with gunicorn on 127.0.0.1 (a free port, production-like settings), and
puts `BENCH_CLIENTS` (20) concurrent keep-alive clients on each page in `PAGES` for
`BENCH_SECONDS` (10) each, then on `/healthz` (the ceiling: the least Django can do per
request through the same server). SQL queries per request come from the server itself
(`X-DB-Queries`, `BENCH_COUNT_QUERIES=1`). Then, in this process, the parser, the import, the
reminder run and the pool search are timed on the same database.

After the pages, on the same server, the mixed workload (`bench.mixed`: members writing and
submitting reviews, an organizer at the board, `BENCH_MIXED_SECONDS`); after the in-process
benchmarks, the growth runs (`bench.growth`: the pages again at 1x, 4x and 10x the data, each
scale in its own database and child process).

Prints tables and writes `bench/results.json`. Load goes to 127.0.0.1 only. Gunicorn is
stopped at the end, whatever happens. The server caches in Redis (`BENCH_CACHE_URL`, default
redis://127.0.0.1:6379/14, emptied at the start of each run and of each growth scale).

Environment: BENCH_DATABASE_URL, BENCH_SECONDS, BENCH_CLIENTS, BENCH_WORKERS (gunicorn
workers, default 2 x cores + 1), BENCH_THREADS (threads per worker, default 1), BENCH_PAGES
(comma-separated subset of page names), BENCH_SKIP_EXTRAS=1 (pages only), BENCH_SETTINGS
(a settings module to try instead of seminar.config.settings; it must be importable),
BENCH_MIXED_SECONDS (30; 0 skips the mixed workload), BENCH_SEED (1: think times),
BENCH_GROWTH=0 (no growth runs), BENCH_GROWTH_SCALES (1,4,10), BENCH_GROWTH_SECONDS (4),
BENCH_CACHE_URL. Partial runs (BENCH_PAGES, BENCH_SKIP_EXTRAS, no mixed workload, no growth)
print their tables but leave bench/results.json alone.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
HOST = "127.0.0.1"  # never anywhere else
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/seminar_bench"
)
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP_SECONDS = 1.5
ALONE_SECONDS = 2.0
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
CORES = os.cpu_count() or 1
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * CORES + 1)))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
SEARCH_QUERY = "강화 학습"
TIMEOUT = 30.0
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14")
SCALE = int(os.environ.get("BENCH_SCALE", "1"))  # the data: N x five years (growth runs)
MIXED_SECONDS = float(os.environ.get("BENCH_MIXED_SECONDS", "30"))
GROWTH = os.environ.get("BENCH_GROWTH", "1") != "0"

# The server's environment: production settings, except plain HTTP on loopback.
SERVER_ENV = {
    "DATABASE_URL": DATABASE_URL,
    "DEBUG": "false",
    "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or "bench-" + secrets.token_urlsafe(40),
    "ALLOWED_HOSTS": HOST,
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "CONN_MAX_AGE": "600",
    "CELERY_BROKER_URL": "",
    "BENCH": "1",
    "BENCH_COUNT_QUERIES": "1",
    "LOG_LEVEL": "WARNING",
    # Redis as the cache, as in production (flushed at the start of a run: `flush_cache`).
    "CACHE_URL": CACHE_URL,
    # Another module (importing seminar.config.settings) to try a settings change under load.
    "DJANGO_SETTINGS_MODULE": os.environ.get("BENCH_SETTINGS", "seminar.config.settings"),
}


def log(message: str) -> None:
    print(message, flush=True)


# --- setup -----------------------------------------------------------------------------------


def ensure_database() -> None:
    """Create the benchmark's database if it is missing (starting PostgreSQL if it is down)."""
    import psycopg
    from psycopg import sql

    url = urlsplit(DATABASE_URL)
    name = url.path.lstrip("/")
    admin_url = url._replace(path="/postgres").geturl()
    try:
        connection = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        if url.hostname not in ("127.0.0.1", "localhost") or not shutil.which("pg_ctlcluster"):
            raise
        log("PostgreSQL is not answering; starting it (as .ci/run does).")
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=False
        )
        time.sleep(2)
        connection = psycopg.connect(admin_url, autocommit=True, connect_timeout=10)
    with connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            log(f"Creating database {name}.")
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def flush_cache() -> None:
    """Empty the server's Redis database, so no page is served from an earlier run's cache."""
    import redis

    try:
        redis.Redis.from_url(CACHE_URL, socket_connect_timeout=2).flushdb()
    except redis.RedisError as error:
        # The cache fails open (the settings' FailOpenRedisCache): slower, still correct.
        log(f"Could not flush the cache at {CACHE_URL}: {error}")


def manage(*args: str) -> None:
    started = time.perf_counter()
    env = {**os.environ, **SERVER_ENV}
    env.pop("BENCH_COUNT_QUERIES")
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)
    log(f"  manage.py {' '.join(args)}: {time.perf_counter() - started:.1f} s")


def setup_django() -> None:
    os.environ.update(SERVER_ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@dataclass
class Client:
    """One simulated member: their session, their coming slot with a draft, their feed."""

    email: str
    session_key: str
    slot_id: int
    calendar_token: str
    headings: list[str]
    week_id: int = 0  # the coming week of `slot_id`
    paper_path: str = ""  # the page of the paper `slot_id` reviews
    csrf_cookie: str = ""
    csrf_token: str = ""
    version: str = ""
    saves: int = 0
    etags: dict[str, str] = field(default_factory=dict)  # by page name

    @property
    def cookies(self) -> str:
        cookie = f"sessionid={self.session_key}"
        return cookie + (f"; csrftoken={self.csrf_cookie}" if self.csrf_cookie else "")


@dataclass
class Context:
    clients: list[Client]
    week_id: int
    paper_path: str = ""  # a paper presented in week `week_id`
    organizer: Client | None = None  # member 1, an organizer, signed in separately


def sign_in(member) -> str:
    """A session for `member`, as Django's login makes it; its key."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(member.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = member.get_session_auth_hash()
    session.create()
    return session.session_key


def restore_drafts() -> int:
    """Turn the generated members' submitted reviews of coming weeks back into drafts (the
    mixed workload submits them; generated data has none): what `prepare_clients` and the
    next session need. Returns how many."""
    from django.utils import timezone

    from bench.fake_data import EMAIL_DOMAIN
    from reviews.models import Review

    return Review.objects.filter(
        status=Review.Status.SUBMITTED,
        slot__reviewer__email__endswith=f"@{EMAIL_DOMAIN}",
        slot__topic__week__review_deadline__gt=timezone.now(),
    ).update(status=Review.Status.DRAFT, submitted_at=None, is_late=False)


def prepare_clients() -> Context:
    """Sessions for the first members (as Django's login would make them), each member's
    coming slot with a draft, a calendar token; the latest past week and a paper presented
    in it; and a session of member 1, an organizer."""
    from django.urls import reverse
    from django.utils import timezone

    from bench.fake_data import EMAIL_DOMAIN, member_email
    from reviews.models import Review
    from seminar.models import Topic, User, Week
    from seminar.permissions import is_organizer

    now = timezone.now()
    drafts = (
        Review.objects.filter(
            status=Review.Status.DRAFT,
            slot__reviewer__email__endswith=f"@{EMAIL_DOMAIN}",
            slot__topic__week__review_deadline__gt=now,
        )
        .select_related("slot__reviewer", "slot__topic__paper")
        .prefetch_related("sections")
        .order_by("slot__reviewer__email")
    )
    clients: list[Client] = []
    seen: set[int] = set()
    for review in drafts:
        member = review.slot.reviewer
        if member.pk in seen:
            continue
        seen.add(member.pk)
        if not member.calendar_token:
            member.calendar_token = secrets.token_urlsafe(32)
            User.objects.filter(pk=member.pk).update(calendar_token=member.calendar_token)
        topic = review.slot.topic
        clients.append(
            Client(
                email=member.email,
                session_key=sign_in(member),
                slot_id=review.slot_id,
                calendar_token=member.calendar_token,
                headings=[s.heading for s in review.sections.all()] or ["리뷰"],
                week_id=topic.week_id,
                paper_path=reverse("paper_detail", args=[topic.paper.arxiv_id])
                if topic.paper
                else "",
            )
        )
        if len(clients) == CLIENTS:
            break
    week = Week.objects.filter(starts_at__lt=now).order_by("-starts_at").first()
    if len(clients) < CLIENTS or week is None:
        raise StaleData(f"{len(clients)} members with a draft for a coming week")
    presented = Topic.objects.filter(week=week, paper__isnull=False).select_related("paper")
    topic = presented.order_by("order").first()
    organizer = User.objects.filter(email=member_email(1)).first()
    return Context(
        clients=clients,
        week_id=week.pk,
        paper_path=reverse("paper_detail", args=[topic.paper.arxiv_id]) if topic else "",
        organizer=(
            Client(
                email=organizer.email,
                session_key=sign_in(organizer),
                slot_id=0,
                calendar_token="",
                headings=[],
            )
            if organizer is not None and is_organizer(organizer)
            else None
        ),
    )


class StaleData(Exception):
    """The generated weeks have passed (data generated long ago): generate it again."""


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "seminar.config.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(WORKERS),
        "--threads",
        str(THREADS),
        "--worker-class",
        "gthread" if THREADS > 1 else "sync",
        "--keep-alive",
        "5",
        "--backlog",
        "256",
        "--log-level",
        "warning",
        "--timeout",
        "60",
    ]
    log(f"Starting gunicorn on {HOST}:{port}: {WORKERS} workers x {THREADS} threads.")
    server = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **SERVER_ENV}, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop_gunicorn(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)  # its own session: the master and its workers
        server.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    log("gunicorn stopped.")


# --- requests --------------------------------------------------------------------------------

Request = tuple[str, str, bytes | None, dict[str, str]]
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_VERSION_INPUT = re.compile(r'name="version" value="([^"]*)"')
_CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")


def _get(path: str, client: Client | None) -> Request:
    headers = {"Cookie": client.cookies} if client else {}
    return "GET", path, None, headers


def _review_fields(client: Client) -> dict[str, str]:
    """The editor form's fields (but `action`), with the next text of each section."""
    client.saves += 1
    fields = {
        "csrfmiddlewaretoken": client.csrf_token,
        "sections-TOTAL_FORMS": str(len(client.headings)),
        "sections-INITIAL_FORMS": str(len(client.headings)),
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "30",
        "version": client.version,
    }
    for index, heading in enumerate(client.headings):
        fields[f"sections-{index}-heading"] = heading
        fields[f"sections-{index}-body"] = (
            f"벤치마크 초안 {client.saves}: **{heading}**에 대해 쓰는 중입니다.\n\n"
            "- 손실 함수 $\\mathcal{L} = \\mathcal{L}_{CE} + \\lambda \\mathcal{L}_{KL}$\n"
            "- 실험은 GSM8K와 MATH에서 진행했습니다."
        )
    return fields


def _draft_save(client: Client) -> Request:
    """The editor's autosave, as review-editor.js sends it: the form's fields but `action`."""
    fields = _review_fields(client)
    headers = {
        "Cookie": client.cookies,
        "X-CSRFToken": client.csrf_token,
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return "POST", f"/slots/{client.slot_id}/review/autosave/", urlencode(fields).encode(), headers


def _after_draft_save(client: Client, status: int, body: bytes) -> None:
    if status == 200:
        client.version = json.loads(body)["version"]


@dataclass
class Page:
    """A page under load: how a client asks for it, and what it does with the answer."""

    name: str
    request: Callable[[Client, Context], Request]
    after: Callable[[Client, int, bytes], None] | None = None
    prepare: Callable[[Client, Context, int], None] | None = None
    route: str | None = None  # a URL name that must exist (else the page is skipped)
    expect: int = 200  # the status of a successful request; any other is an error
    organizer: bool = False  # fetched with the organizer's session (skipped without one)

    def error_key(self, status: int) -> str:
        if self.expect == 200:
            return f"HTTP {status}"
        return f"HTTP {status} (expected {self.expect})"


def _load_editor(client: Client, context: Context, port: int) -> None:
    """GET the editor once: the CSRF cookie and token and the draft's version, as a browser
    has them before its first autosave."""
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    connection.request(
        "GET", f"/slots/{client.slot_id}/review/", headers={"Cookie": client.cookies}
    )
    response = connection.getresponse()
    html = response.read().decode()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"editor of {client.email}: HTTP {response.status}")
    cookie = _CSRF_COOKIE.search(response.getheader("Set-Cookie") or "")
    client.csrf_cookie = cookie.group(1) if cookie else client.csrf_cookie
    client.csrf_token = _CSRF_INPUT.search(html).group(1)
    client.version = _VERSION_INPUT.search(html).group(1)


def _calendar(client: Client, context: Context) -> Request:
    from django.urls import reverse

    return _get(reverse("member_calendar", args=[client.calendar_token]), None)


def _export(client: Client, context: Context) -> Request:
    return _get("/exports/reviews.csv", context.organizer)


def _revalidated(name: str, first: Callable[[Client, Context], Request]) -> tuple:
    """A page fetched again with the ETag of a first fetch (`If-None-Match`), as a calendar
    app or a browser revalidates what it keeps: the (request, prepare) of page `name`. The
    first fetch, once per client, is the prepare step."""

    def prepare(client: Client, context: Context, port: int) -> None:
        method, path, body, headers = first(client, context)
        connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        # Without an ETag (a server without the support yet) the request goes unconditional
        # and its 200 counts as an error: the page measures revalidation or nothing.
        client.etags[name] = response.getheader("ETag") or ""

    def request(client: Client, context: Context) -> Request:
        method, path, body, headers = first(client, context)
        etag = client.etags.get(name)
        return method, path, body, {**headers, "If-None-Match": etag} if etag else headers

    return request, prepare


_calendar_304, _prepare_calendar_304 = _revalidated("calendar_304", _calendar)
_export_304, _prepare_export_304 = _revalidated("export_304", _export)


# The pages, in order. Adding one is one line here.
PAGES: list[Page] = [
    Page("dashboard", lambda c, x: _get("/", c)),
    Page("week", lambda c, x: _get(f"/weeks/{x.week_id}/", c)),
    Page("archive", lambda c, x: _get("/weeks/", c)),
    Page("search", lambda c, x: _get(f"/papers/?q={quote(SEARCH_QUERY)}", c)),
    Page("editor", lambda c, x: _get(f"/slots/{c.slot_id}/review/", c)),
    Page("draft_save", lambda c, x: _draft_save(c), _after_draft_save, _load_editor),
    Page("calendar", _calendar, route="member_calendar"),
    Page("paper", lambda c, x: _get(x.paper_path, c)),
    Page("stats", lambda c, x: _get("/stats/", c)),
    Page(
        "calendar_304",
        _calendar_304,
        prepare=_prepare_calendar_304,
        route="member_calendar",
        expect=304,
    ),
    Page(
        "export_304",
        _export_304,
        prepare=_prepare_export_304,
        route="export_reviews_csv",
        expect=304,
        organizer=True,
    ),
]
CEILING = Page("ceiling", lambda c, x: _get("/healthz", None))


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0


def _client_loop(
    page: Page,
    client: Client,
    context: Context,
    port: int,
    until: float,
    outcome: Outcome,
    lock: threading.Lock,
) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    latencies: list[float] = []
    queries: list[int] = []
    errors: dict[str, int] = {}
    try:
        while time.perf_counter() < until:
            method, path, body, headers = page.request(client, context)
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                content = response.read()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                key = type(error).__name__
                errors[key] = errors.get(key, 0) + 1
                continue
            latencies.append(time.perf_counter() - started)
            if response.status != page.expect:
                key = page.error_key(response.status)
                errors[key] = errors.get(key, 0) + 1
            count = response.getheader("X-DB-Queries")
            if count is not None:
                queries.append(int(count))
            if page.after is not None:
                page.after(client, response.status, content)
            if response.will_close:
                connection.close()
    finally:
        connection.close()
        with lock:
            outcome.latencies += latencies
            outcome.queries += queries
            for key, value in errors.items():
                outcome.errors[key] = outcome.errors.get(key, 0) + value


def _run(page: Page, context: Context, port: int, seconds: float) -> Outcome:
    outcome = Outcome()
    lock = threading.Lock()
    started = time.perf_counter()
    until = started + seconds
    threads = [
        threading.Thread(
            target=_client_loop,
            args=(page, client, context, port, until, outcome, lock),
            daemon=True,
        )
        for client in context.clients
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + TIMEOUT + 5)
    outcome.elapsed = time.perf_counter() - started
    return outcome


def cpu_seconds(server: subprocess.Popen) -> tuple[float, float]:
    """CPU time so far of gunicorn (master and workers: its process group) and of the
    PostgreSQL backends serving the benchmark's database (when they run on this machine)."""
    database = f" {urlsplit(DATABASE_URL).path.lstrip('/')} "
    app = db = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            ticks = int(fields[11]) + int(fields[12])  # utime + stime
            if int(fields[2]) == server.pid:  # in gunicorn's process group
                app += ticks
            elif Path(f"/proc/{entry}/comm").read_text().startswith("postgres"):
                title = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
                if title.startswith("postgres: ") and database in title:
                    db += ticks
        except (OSError, IndexError, ValueError):
            continue
    tick = os.sysconf("SC_CLK_TCK")
    return app / tick, db / tick


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def measure(
    page: Page,
    context: Context,
    server: subprocess.Popen,
    port: int,
    seconds: float = SECONDS,
    alone: bool = True,
) -> dict:
    """`page` under the clients' load for `seconds` (after a warm-up), then, if `alone`, with
    one client."""
    if page.prepare is not None:
        for client in context.clients:
            page.prepare(client, context, port)
    _run(page, context, port, WARMUP_SECONDS)
    load = os.getloadavg()[0]
    app_cpu, db_cpu = cpu_seconds(server)
    outcome = _run(page, context, port, seconds)
    app_after, db_after = cpu_seconds(server)
    if not outcome.latencies:
        raise SystemExit(f"{page.name}: no request completed ({outcome.errors})")
    result: dict[str, object] = {
        "p50_ms": round(_percentile(outcome.latencies, 0.5) * 1000, 1),
        "p95_ms": round(_percentile(outcome.latencies, 0.95) * 1000, 1),
        "rps": round(len(outcome.latencies) / outcome.elapsed, 1),
        "queries": max(outcome.queries) if outcome.queries else None,
        "requests": len(outcome.latencies),
        # Less sensitive to other work on the machine than rates: what one request costs.
        "server_cpu_ms": round((app_after - app_cpu) * 1000 / len(outcome.latencies), 2),
        "db_cpu_ms": round((db_after - db_cpu) * 1000 / len(outcome.latencies), 2),
        "loadavg_before": round(load, 2),
    }
    if outcome.queries and min(outcome.queries) != max(outcome.queries):
        result["queries_min"] = min(outcome.queries)
    errors = {**outcome.errors}
    if alone:
        # The same page for one client alone: the latency a member sees when the server is
        # not queueing 20 requests (with 20 clients, latency is 20 / rate: Little's law).
        single = _run(page, replace(context, clients=context.clients[:1]), port, ALONE_SECONDS)
        if single.latencies:
            result["alone_p50_ms"] = round(_percentile(single.latencies, 0.5) * 1000, 1)
            result["alone_p95_ms"] = round(_percentile(single.latencies, 0.95) * 1000, 1)
        for key, value in single.errors.items():
            errors[key] = errors.get(key, 0) + value
    if errors:
        result["errors"] = errors
    return result


def _route_exists(name: str) -> bool:
    from django.urls import NoReverseMatch, reverse

    for args in ([], ["x"]):
        try:
            reverse(name, args=args)
            return True
        except NoReverseMatch:
            continue
    return False


def _skipped(page: Page, context: Context) -> str | None:
    """Why `page` cannot be run (a note), or None."""
    if page.route and not _route_exists(page.route):
        return f"{page.name}: no route {page.route!r} yet; skipped"
    if page.organizer and context.organizer is None:
        return f"{page.name}: no organizer among the generated members (member 1); skipped"
    if page.name == "paper" and not context.paper_path:
        return f"{page.name}: no paper linked from week {context.week_id}; skipped"
    return None


def run_pages(
    context: Context,
    server: subprocess.Popen,
    port: int,
    seconds: float = SECONDS,
    short: bool = False,
) -> tuple[dict[str, dict], float | None, list[str]]:
    """Each page of `PAGES` (or of `BENCH_PAGES`), then the ceiling; `short`: neither the
    one-client runs nor the ceiling (the growth runs)."""
    wanted = [n.strip() for n in os.environ.get("BENCH_PAGES", "").split(",") if n.strip()]
    results: dict[str, dict] = {}
    notes: list[str] = []
    for page in PAGES:
        if wanted and page.name not in wanted:
            continue
        note = _skipped(page, context)
        if note:
            notes.append(note)
            continue
        log(f"  {page.name} ...")
        results[page.name] = measure(page, context, server, port, seconds, alone=not short)
    if short:
        return results, None, notes
    log("  ceiling (/healthz) ...")
    ceiling = measure(CEILING, context, server, port)
    ceiling_rps = float(ceiling["rps"])
    for result in results.values():
        result["ratio"] = round(float(result["rps"]) / ceiling_rps, 3)
    results["_ceiling"] = ceiling
    return results, ceiling_rps, notes


# --- the in-process benchmarks ---------------------------------------------------------------


def run_extras() -> dict[str, object]:
    from bench.imports import run_import_benchmark
    from bench.parser import run_adversarial_benchmark, run_parse_benchmark
    from bench.reminders import run_reminder_benchmark
    from bench.search import run_search_benchmark

    extras: dict[str, object] = {}
    steps = (
        ("parse", run_parse_benchmark),
        # The parser on inputs built to be its worst case (ReDoS): the slowest, in MB/s.
        ("parse_adversarial", lambda: run_adversarial_benchmark(repeat=2)),
        ("import", run_import_benchmark),
        ("reminders", run_reminder_benchmark),
        ("search", run_search_benchmark),
    )
    for name, function in steps:
        log(f"  {name} ...")
        started = time.perf_counter()
        try:
            extras[name] = function()
        except Exception:  # report and go on: one broken part must not hide the others
            traceback.print_exc()
            extras[name] = {"error": traceback.format_exc(limit=3)}
        log(f"  {name}: {time.perf_counter() - started:.1f} s")
    return extras


# --- report ----------------------------------------------------------------------------------

# The targets: p95 under 50 ms, at most 12 queries, and per page a share of the
# ceiling's requests/s (pages not named have no such target).
TARGETS = {
    "p95_ms": 50.0,
    "queries": 12,
    "ratio": {
        "week": 0.25,
        "archive": 0.25,
        "editor": 0.25,
        "draft_save": 0.25,
        "dashboard": 0.15,
        "paper": 0.15,
        "search": 0.15,
        "stats": 0.15,
        "calendar_304": 0.50,
    },
}


def missed_targets(name: str, page: dict) -> list[str]:
    """The targets `page` (its figures, named `name`) missed."""
    ratio = TARGETS["ratio"].get(name)
    checks = (
        ("p95", page["p95_ms"] >= TARGETS["p95_ms"]),
        ("queries", (page.get("queries") or 0) > TARGETS["queries"]),
        ("ratio", ratio is not None and page.get("ratio") is not None and page["ratio"] < ratio),
        ("errors", bool(page.get("errors"))),
    )
    return [label for label, bad in checks if bad]


def machine() -> dict[str, object]:
    from django.db import connection

    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) // 1024} MB"
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cores": CORES,
        "memory": memory,
        "python": sys.version.split()[0],
        "postgresql": postgres,
        "gunicorn": f"{WORKERS} workers x {THREADS} threads",
        "clients": CLIENTS,
        "seconds_per_page": SECONDS,
        "mixed_seconds": MIXED_SECONDS,
        "cache": CACHE_URL,
    }


def _figure(extras: dict, step: str, key: str) -> float | None:
    value = extras.get(step, {}).get(key)
    return float(value) if isinstance(value, int | float) else None


def report(
    pages: dict,
    ceiling_rps: float,
    extras: dict,
    notes: list[str],
    total: float,
    mixed: dict | None = None,
    growth: dict | None = None,
) -> dict:
    ceiling = pages.pop("_ceiling")
    results = {
        "pages": {
            name: {key: page.get(key) for key in ("p50_ms", "p95_ms", "rps", "queries", "ratio")}
            for name, page in pages.items()
        },
        "ceiling_rps": ceiling_rps,
        "parse_papers_per_s": _figure(extras, "parse", "parse_papers_per_s"),
        "parse_adversarial_worst_mb_per_s": _figure(
            extras, "parse_adversarial", "adversarial_worst_mb_per_s"
        ),
        "import_papers_per_s": _figure(extras, "import", "import_papers_per_s"),
        "reminders_s_per_1000": _figure(extras, "reminders", "reminders_s_per_1000"),
        "search_p50_ms": _figure(extras, "search", "search_p50_ms"),
        "mixed": mixed,
        "growth": growth,
        "details": {
            "pages": pages,
            "ceiling": ceiling,
            "extras": extras,
            "notes": notes,
            "machine": machine(),
            "total_seconds": round(total, 1),
        },
    }
    log("")
    log(
        f"targets: p95 < {TARGETS['p95_ms']:g} ms, at most {TARGETS['queries']} queries, "
        "ratio to the ceiling's requests/s as in the target column"
    )
    log(
        f"{'page':<13}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}{'queries':>9}{'ratio':>8}"
        f"{'target':>8}{'cpu ms':>8}{'db ms':>7}{'alone p95':>10}  missed"
    )
    for name, page in pages.items():
        target = TARGETS["ratio"].get(name)
        log(
            f"{name:<13}{page['p50_ms']:>9}{page['p95_ms']:>9}{page['rps']:>9}"
            f"{page['queries'] if page['queries'] is not None else '-':>9}{page['ratio']:>8.0%}"
            f"{f'>={target:.0%}' if target is not None else '-':>8}"
            f"{page['server_cpu_ms']:>8}{page['db_cpu_ms']:>7}{page.get('alone_p95_ms', '-'):>10}"
            f"  {', '.join(missed_targets(name, page))} {page.get('errors') or ''}".rstrip()
        )
    log(
        f"{'ceiling':<13}{ceiling['p50_ms']:>9}{ceiling['p95_ms']:>9}{ceiling_rps:>9}"
        f"{ceiling['queries'] if ceiling['queries'] is not None else '-':>9}{'':>16}"
        f"{ceiling['server_cpu_ms']:>8}{ceiling['db_cpu_ms']:>7}"
        f"{ceiling.get('alone_p95_ms', '-'):>10}"
    )
    if mixed is not None:
        from bench.mixed import report_lines as mixed_lines

        log("")
        for line in mixed_lines(mixed):
            log(line)
    if growth is not None:
        from bench.growth import report_lines as growth_lines

        log("")
        for line in growth_lines(growth):
            log(line)
    log("")
    for key, target in (
        ("parse_papers_per_s", None),
        ("parse_adversarial_worst_mb_per_s", ">= 1"),
        ("import_papers_per_s", ">= 300"),
        ("reminders_s_per_1000", None),
        ("search_p50_ms", "< 100"),
    ):
        log(f"{key:<24}{results[key]!s:>10}  {('target ' + target) if target else ''}")
        if key == "parse_adversarial_worst_mb_per_s" and "adversarial_worst_case" in extras.get(
            "parse_adversarial", {}
        ):
            from bench.parser import adversarial_line

            log(f"  {adversarial_line(extras['parse_adversarial'])}")
    for note in notes:
        log(f"note: {note}")
    log(f"total {total:.0f} s")
    return results


def prepare_data(collect_static: bool = True) -> Context:
    """The database ready (created, migrated, generated at `SCALE`), the cache empty, Django
    set up in this process; the clients."""
    flush_cache()
    ensure_database()
    manage("migrate", "--noinput", "--verbosity", "0")
    generate = ["generate_fake_data", "--years", "5", "--scale", str(SCALE)]
    manage(*generate, "--if-absent")
    if collect_static:
        manage("collectstatic", "--noinput", "--verbosity", "0")
    setup_django()
    restored = restore_drafts()
    if restored:
        log(f"  {restored} reviews an earlier run submitted are drafts again.")
    try:
        return prepare_clients()
    except StaleData as stale:
        log(f"The generated data is too old ({stale}); generating it again.")
        manage(*generate, "--reset")
        return prepare_clients()


def data_counts() -> dict[str, int]:
    from papers.models import CandidatePaper
    from reviews.models import Review
    from seminar.models import User, Week

    return {
        "weeks": Week.objects.count(),
        "reviews": Review.objects.count(),
        "members": User.objects.count(),
        "papers": CandidatePaper.objects.count(),
    }


def run_mixed_workload(context: Context, server: subprocess.Popen, port: int) -> dict:
    from bench.mixed import run_mixed

    return run_mixed(
        context,
        port,
        lambda: cpu_seconds(server),
        draft_save=_draft_save,
        after_draft_save=_after_draft_save,
        review_fields=_review_fields,
        seconds=MIXED_SECONDS,
    )


def growth_child(out: Path) -> int:
    """One scale of the growth runs (`bench.growth`): the pages, short, into `out`."""
    started = time.perf_counter()
    log(f"Benchmark database: {DATABASE_URL} ({SCALE}x the data)")
    context = prepare_data(collect_static=False)
    server = None
    try:
        port = free_port()
        server = start_gunicorn(port)
        log(f"Load: {CLIENTS} clients, {SECONDS:g} s per page.")
        pages, _ceiling, notes = run_pages(context, server, port, SECONDS, short=True)
    finally:
        stop_gunicorn(server)
    result = {
        "scale": SCALE,
        "database": urlsplit(DATABASE_URL).path.lstrip("/"),
        "counts": data_counts(),
        "pages": pages,
        "notes": notes,
        "seconds": round(time.perf_counter() - started, 1),
    }
    out.write_text(json.dumps(result, ensure_ascii=False, default=str))
    return 0


def main() -> int:
    started = time.perf_counter()
    # A `kill` of this script still stops gunicorn (the `finally` below runs on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if len(sys.argv) == 3 and sys.argv[1] == "--growth-child":
        return growth_child(Path(sys.argv[2]))
    log(f"Benchmark database: {DATABASE_URL}")
    context = prepare_data()
    server = None
    mixed = None
    try:
        port = free_port()
        server = start_gunicorn(port)
        log(f"Load: {CLIENTS} clients, {SECONDS:g} s per page.")
        pages, ceiling_rps, notes = run_pages(context, server, port)
        if MIXED_SECONDS > 0:
            log(f"Mixed workload: {CLIENTS} members and an organizer, {MIXED_SECONDS:g} s ...")
            mixed = run_mixed_workload(context, server, port)
    finally:
        stop_gunicorn(server)
        try:
            restore_drafts()  # what the mixed workload submitted
        except Exception:  # the run's own error, if any, is the one to see
            traceback.print_exc()
    extras = {} if os.environ.get("BENCH_SKIP_EXTRAS") == "1" else run_extras()
    growth = None
    if GROWTH:
        from bench.growth import run_growth

        growth = run_growth(Path(__file__).resolve(), DATABASE_URL)
    results = report(
        pages, ceiling_rps, extras, notes, time.perf_counter() - started, mixed, growth
    )
    if os.environ.get("BENCH_PAGES") or extras == {} or mixed is None or growth is None:
        log(f"A partial run: {RESULTS.relative_to(ROOT)} is left as it was.")
    else:
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
