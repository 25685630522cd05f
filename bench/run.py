"""`make bench`: Seminar under load on PostgreSQL, with five years of data.

From a fresh clone: creates its own database (`seminar_bench`, or `BENCH_DATABASE_URL`),
migrates, generates the data if absent (`generate_fake_data --if-absent`), collects static
files, serves the app with gunicorn on 127.0.0.1 (a free port, production-like settings), and
puts `BENCH_CLIENTS` (20) concurrent keep-alive clients on each page in `PAGES` for
`BENCH_SECONDS` (10) each, then on `/healthz` (the ceiling: the least Django can do per
request through the same server). SQL queries per request come from the server itself
(`X-DB-Queries`, `BENCH_COUNT_QUERIES=1`). Then, in this process, the parser, the import, the
reminder run and the pool search are timed on the same database.

Prints a table and writes `bench/results.json`. Load goes to 127.0.0.1 only. Gunicorn is
stopped at the end, whatever happens.

Environment: BENCH_DATABASE_URL, BENCH_SECONDS, BENCH_CLIENTS, BENCH_WORKERS (gunicorn
workers, default 2 x cores + 1), BENCH_THREADS (threads per worker, default 1), BENCH_PAGES
(comma-separated subset of page names), BENCH_SKIP_EXTRAS=1 (pages only), BENCH_SETTINGS
(a settings module to try instead of seminar.config.settings; it must be importable). Partial runs
(BENCH_PAGES, BENCH_SKIP_EXTRAS) print their table but leave bench/results.json alone.
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
from dataclasses import dataclass, field
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
    csrf_cookie: str = ""
    csrf_token: str = ""
    version: str = ""
    saves: int = 0

    @property
    def cookies(self) -> str:
        cookie = f"sessionid={self.session_key}"
        return cookie + (f"; csrftoken={self.csrf_cookie}" if self.csrf_cookie else "")


@dataclass
class Context:
    clients: list[Client]
    week_id: int


def prepare_clients() -> Context:
    """Sessions for the first members (as Django's login would make them), each member's
    coming slot with a draft, a calendar token; and the latest past week."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from bench.fake_data import EMAIL_DOMAIN
    from reviews.models import Review
    from seminar.models import User, Week

    now = timezone.now()
    drafts = (
        Review.objects.filter(
            status=Review.Status.DRAFT,
            slot__reviewer__email__endswith=f"@{EMAIL_DOMAIN}",
            slot__topic__week__review_deadline__gt=now,
        )
        .select_related("slot__reviewer")
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
        session = SessionStore()
        session[SESSION_KEY] = str(member.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = member.get_session_auth_hash()
        session.create()
        clients.append(
            Client(
                email=member.email,
                session_key=session.session_key,
                slot_id=review.slot_id,
                calendar_token=member.calendar_token,
                headings=[s.heading for s in review.sections.all()] or ["리뷰"],
            )
        )
        if len(clients) == CLIENTS:
            break
    week = Week.objects.filter(starts_at__lt=now).order_by("-starts_at").first()
    if len(clients) < CLIENTS or week is None:
        raise StaleData(f"{len(clients)} members with a draft for a coming week")
    return Context(clients=clients, week_id=week.pk)


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


def _draft_save(client: Client) -> Request:
    """The editor's autosave, as review-editor.js sends it: the form's fields but `action`."""
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
    prepare: Callable[[Client, int], None] | None = None
    route: str | None = None  # a URL name that must exist (else the page is skipped)


def _load_editor(client: Client, port: int) -> None:
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


# The pages, in order. Adding one is one line here.
PAGES: list[Page] = [
    Page("dashboard", lambda c, x: _get("/", c)),
    Page("week", lambda c, x: _get(f"/weeks/{x.week_id}/", c)),
    Page("archive", lambda c, x: _get("/weeks/", c)),
    Page("search", lambda c, x: _get(f"/papers/?q={quote(SEARCH_QUERY)}", c)),
    Page("editor", lambda c, x: _get(f"/slots/{c.slot_id}/review/", c)),
    Page("draft_save", lambda c, x: _draft_save(c), _after_draft_save, _load_editor),
    Page("calendar", _calendar, route="member_calendar"),
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
            if response.status != 200:
                key = f"HTTP {response.status}"
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


def measure(page: Page, context: Context, server: subprocess.Popen, port: int) -> dict:
    if page.prepare is not None:
        for client in context.clients:
            page.prepare(client, port)
    _run(page, context, port, WARMUP_SECONDS)
    load = os.getloadavg()[0]
    app_cpu, db_cpu = cpu_seconds(server)
    outcome = _run(page, context, port, SECONDS)
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
    # The same page for one client alone: the latency a member sees when the server is not
    # queueing 20 requests (with 20 clients, latency is 20 / rate: Little's law).
    alone = _run(page, Context(context.clients[:1], context.week_id), port, ALONE_SECONDS)
    if alone.latencies:
        result["alone_p50_ms"] = round(_percentile(alone.latencies, 0.5) * 1000, 1)
        result["alone_p95_ms"] = round(_percentile(alone.latencies, 0.95) * 1000, 1)
    errors = {**outcome.errors}
    for key, value in alone.errors.items():
        errors[key] = errors.get(key, 0) + value
    if errors:
        result["errors"] = errors
    return result


def run_pages(
    context: Context, server: subprocess.Popen, port: int
) -> tuple[dict[str, dict], float, list[str]]:
    from django.urls import NoReverseMatch, reverse

    wanted = [n.strip() for n in os.environ.get("BENCH_PAGES", "").split(",") if n.strip()]
    results: dict[str, dict] = {}
    notes: list[str] = []
    for page in PAGES:
        if wanted and page.name not in wanted:
            continue
        if page.route:
            try:
                reverse(page.route, args=["x"])
            except NoReverseMatch:
                notes.append(f"{page.name}: no route {page.route!r} yet; skipped")
                continue
        log(f"  {page.name} ...")
        results[page.name] = measure(page, context, server, port)
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

TARGETS = {"p95_ms": 50.0, "queries": 12, "ratio": 0.40}


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
    }


def _figure(extras: dict, step: str, key: str) -> float | None:
    value = extras.get(step, {}).get(key)
    return float(value) if isinstance(value, int | float) else None


def report(pages: dict, ceiling_rps: float, extras: dict, notes: list[str], total: float) -> dict:
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
        f"{'page':<12}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}{'queries':>9}{'ratio':>8}"
        f"{'cpu ms':>8}{'db ms':>7}{'alone p95':>10}  missed"
    )
    for name, page in pages.items():
        missed = [
            label
            for label, bad in (
                ("p95", page["p95_ms"] >= TARGETS["p95_ms"]),
                ("queries", (page["queries"] or 0) > TARGETS["queries"]),
                ("ratio", page["ratio"] < TARGETS["ratio"]),
                ("errors", bool(page.get("errors"))),
            )
            if bad
        ]
        log(
            f"{name:<12}{page['p50_ms']:>9}{page['p95_ms']:>9}{page['rps']:>9}"
            f"{page['queries'] if page['queries'] is not None else '-':>9}{page['ratio']:>8.0%}"
            f"{page['server_cpu_ms']:>8}{page['db_cpu_ms']:>7}{page.get('alone_p95_ms', '-'):>10}"
            f"  {', '.join(missed)} {page.get('errors') or ''}"
        )
    log(
        f"{'ceiling':<12}{ceiling['p50_ms']:>9}{ceiling['p95_ms']:>9}{ceiling_rps:>9}"
        f"{ceiling['queries'] if ceiling['queries'] is not None else '-':>9}{'':>8}"
        f"{ceiling['server_cpu_ms']:>8}{ceiling['db_cpu_ms']:>7}"
        f"{ceiling.get('alone_p95_ms', '-'):>10}"
    )
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


def main() -> int:
    started = time.perf_counter()
    # A `kill` of this script still stops gunicorn (the `finally` below runs on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    log(f"Benchmark database: {DATABASE_URL}")
    ensure_database()
    manage("migrate", "--noinput", "--verbosity", "0")
    manage("generate_fake_data", "--years", "5", "--if-absent")
    manage("collectstatic", "--noinput", "--verbosity", "0")
    setup_django()
    try:
        context = prepare_clients()
    except StaleData as stale:
        log(f"The generated data is too old ({stale}); generating it again.")
        manage("generate_fake_data", "--years", "5", "--reset")
        context = prepare_clients()
    server = None
    try:
        port = free_port()
        server = start_gunicorn(port)
        log(f"Load: {CLIENTS} clients, {SECONDS:g} s per page.")
        pages, ceiling_rps, notes = run_pages(context, server, port)
    finally:
        stop_gunicorn(server)
    extras = {} if os.environ.get("BENCH_SKIP_EXTRAS") == "1" else run_extras()
    results = report(pages, ceiling_rps, extras, notes, time.perf_counter() - started)
    if os.environ.get("BENCH_PAGES") or extras == {}:
        log(f"A partial run: {RESULTS.relative_to(ROOT)} is left as it was.")
    else:
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
