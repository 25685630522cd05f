"""The mixed workload: members going through a review session, an organizer at the board.

`bench/run.py` runs it after the per-page run, against the same gunicorn. `BENCH_CLIENTS`
members (20) each repeat a session for `BENCH_MIXED_SECONDS` (30):

    dashboard `/` -> their coming week's page -> the paper they review -> the editor ->
    3 to 5 autosaves, 2 to 3 s apart (typing) -> submit (the form's `action=submit`, 302)
    -> the week page the submit redirects to

with 0.5 to 2 s of reading between page views; and one organizer (member 1, a client of
its own) alternates the board `/schedule/` and the pool `/papers/`, and every fourth round
dismisses or restores a candidate (`POST /papers/<id>/status/`). Think times come from a
random generator seeded per client (`BENCH_SEED`), so runs are alike.

A submitted review takes no autosave ("press Update"), so after each submitted session the
member's review is turned back into a draft in the database by the benchmark (one UPDATE from
the client's thread, not counted as a request; the data-version triggers see it like any
write): every session then writes a draft and submits it, the path a member takes each week.
(The alternative, later sessions editing with Update, would leave a single round of
autosaves per member in a run, and measure the first submission only once per member.)
`bench.run.restore_drafts` does the same for every member before and after the run.

Reported per request type: count, p50/p95/p99, errors by status or exception; overall:
requests/s, the server's CPU per request (gunicorn and PostgreSQL, from /proc), and the
load generator's own CPU (`time.process_time()` of this process: every client thread) as a
share of one core, which says whether the generator, not the server, was the limit.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

SECONDS = float(os.environ.get("BENCH_MIXED_SECONDS", "30"))
SEED = int(os.environ.get("BENCH_SEED", "1"))
TARGET_P95_MS = 100.0
READING = (0.5, 2.0)  # seconds between page views
TYPING = (2.0, 3.0)  # seconds between autosaves
SAVES = (3, 5)  # autosaves per session
STATUS_EVERY = 4  # the organizer's rounds per status change
TIMEOUT = 30.0
# Request types in the order of the report; each expects 200 but these.
TYPES = (
    "dashboard",
    "week",
    "paper",
    "editor",
    "autosave",
    "submit",
    "board",
    "pool",
    "paper_status",
)
EXPECTED = {"submit": 302, "paper_status": 302}

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_VERSION_INPUT = re.compile(r'name="version" value="([^"]*)"')
_CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")


def percentile(values: list[float], fraction: float) -> float:
    """The value at `fraction` (0 to 1) of the sorted values, nearest rank."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


@dataclass
class Tally:
    """One request type's latencies (seconds) and errors (by `HTTP nnn` or exception)."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, key: str) -> None:
        self.errors[key] = self.errors.get(key, 0) + 1

    def merge(self, other: Tally) -> None:
        self.latencies += other.latencies
        for key, value in other.errors.items():
            self.errors[key] = self.errors.get(key, 0) + value

    def summary(self) -> dict[str, object]:
        result: dict[str, object] = {"count": len(self.latencies)}
        if self.latencies:
            for name, fraction in (("p50_ms", 0.5), ("p95_ms", 0.95), ("p99_ms", 0.99)):
                result[name] = round(percentile(self.latencies, fraction) * 1000, 1)
        if self.errors:
            result["errors"] = dict(sorted(self.errors.items()))
        return result


class Browser:
    """One client's keep-alive connection, its cookies and its tallies; stops at `until`."""

    def __init__(self, port: int, cookies: str, until: float, rng: random.Random) -> None:
        self.port = port
        self.cookies = cookies
        self.until = until
        self.rng = rng
        self.tallies: dict[str, Tally] = {}
        self.connection: http.client.HTTPConnection | None = None

    def pause(self, bounds: tuple[float, float]) -> bool:
        """Think for a random time within `bounds`; False when the run ends meanwhile."""
        wait = self.rng.uniform(*bounds)
        remaining = self.until - time.perf_counter()
        if remaining <= wait:
            return False
        time.sleep(wait)
        return True

    def fetch(
        self,
        kind: str,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, http.client.HTTPResponse, bytes] | None:
        """One request, timed under `kind`; None if the run is over or it failed."""
        if time.perf_counter() >= self.until:
            return None
        tally = self.tallies.setdefault(kind, Tally())
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        started = time.perf_counter()
        try:
            self.connection.request(
                method, path, body=body, headers={"Cookie": self.cookies, **(headers or {})}
            )
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            tally.error(type(error).__name__)
            return None
        tally.latencies.append(time.perf_counter() - started)
        if response.status != EXPECTED.get(kind, 200):
            tally.error(f"HTTP {response.status}")
        if response.will_close:  # sync workers close after each response
            self.close()
        return response.status, response, content

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def read_form(client, response: http.client.HTTPResponse, html: str) -> bool:
    """The CSRF cookie and token, and the draft's version, from the editor page (as a
    browser has them); False when the page has no editor form."""
    cookie = _CSRF_COOKIE.search(response.getheader("Set-Cookie") or "")
    if cookie:
        client.csrf_cookie = cookie.group(1)
    token, version = _CSRF_INPUT.search(html), _VERSION_INPUT.search(html)
    if token is None or version is None:
        return False
    client.csrf_token, client.version = token.group(1), version.group(1)
    return True


def submit_request(client, fields: dict[str, str]) -> tuple[str, str, bytes, dict[str, str]]:
    """The editor form posted with its Submit button (`action=submit`), as the browser does."""
    body = urlencode({**fields, "action": "submit"}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return "POST", f"/slots/{client.slot_id}/review/", body, headers


def _restore_draft(slot_id: int) -> None:
    from reviews.models import Review

    Review.objects.filter(slot_id=slot_id, status=Review.Status.SUBMITTED).update(
        status=Review.Status.DRAFT, submitted_at=None, is_late=False
    )


def one_session(
    browser: Browser,
    client,
    draft_save: Callable,
    after_draft_save: Callable,
    review_fields: Callable,
) -> bool:
    """One member's session, from the dashboard to the submitted review's week page; True
    when the review was submitted (False: the run ended or a step failed)."""
    rng = browser.rng

    def view(kind: str, path: str):
        return browser.pause(READING) and browser.fetch(kind, "GET", path)

    if not browser.fetch("dashboard", "GET", "/") or not view("week", f"/weeks/{client.week_id}/"):
        return False
    if client.paper_path and not view("paper", client.paper_path):
        return False
    editor = view("editor", f"/slots/{client.slot_id}/review/")
    if not editor or editor[0] != 200:
        return False
    if not read_form(client, editor[1], editor[2].decode()):
        browser.tallies["editor"].error("no editor form")
        return False
    browser.cookies = client.cookies  # now with the CSRF cookie
    for _ in range(rng.randint(*SAVES)):
        if not browser.pause(TYPING):
            return False
        saved = browser.fetch("autosave", *draft_save(client))
        if not saved:
            return False
        after_draft_save(client, saved[0], saved[2])
    if not browser.pause(READING):
        return False
    sent = browser.fetch("submit", *submit_request(client, review_fields(client)))
    if not sent or sent[0] != 302:
        return False
    location = urlsplit(sent[1].getheader("Location") or f"/weeks/{client.week_id}/")
    browser.fetch("week", "GET", location.path)  # the browser follows at once
    return True


def member_sessions(
    client,
    port: int,
    until: float,
    rng: random.Random,
    draft_save: Callable,
    after_draft_save: Callable,
    review_fields: Callable,
) -> tuple[dict[str, Tally], int]:
    """Sessions of one member until `until`; their tallies and how many were submitted."""
    from django.db import connection

    browser = Browser(port, client.cookies, until, rng)
    submitted = 0
    try:
        while time.perf_counter() < until:
            if one_session(browser, client, draft_save, after_draft_save, review_fields):
                submitted += 1
                _restore_draft(client.slot_id)  # for the next session (see the module doc)
            browser.pause(READING)
    finally:
        browser.close()
        connection.close()  # this thread's, opened by `_restore_draft`
    return browser.tallies, submitted


def organizer_rounds(
    organizer, port: int, until: float, rng: random.Random, paper_id: str | None
) -> dict[str, Tally]:
    """The organizer until `until`: board, pool, board, pool, ...; every `STATUS_EVERY`th
    round a candidate dismissed, then restored the next time."""
    browser = Browser(port, organizer.cookies, until, rng)
    csrf = ""
    dismissed = False
    rounds = 0
    try:
        while time.perf_counter() < until:
            rounds += 1
            if browser.fetch("board", "GET", "/schedule/") is None or not browser.pause(READING):
                continue
            pool = browser.fetch("pool", "GET", "/papers/")
            if pool is None:
                continue
            if not csrf:
                token = _CSRF_INPUT.search(pool[2].decode())
                cookie = _CSRF_COOKIE.search(pool[1].getheader("Set-Cookie") or "")
                if token and cookie:
                    csrf = token.group(1)
                    browser.cookies = f"{organizer.cookies}; csrftoken={cookie.group(1)}"
            if not browser.pause(READING):
                continue
            if paper_id and csrf and rounds % STATUS_EVERY == 0:
                action = "restore" if dismissed else "dismiss"
                body = urlencode({"csrfmiddlewaretoken": csrf, "action": action}).encode()
                changed = browser.fetch(
                    "paper_status",
                    "POST",
                    f"/papers/{paper_id}/status/",
                    body,
                    {"Content-Type": "application/x-www-form-urlencoded"},
                )
                if changed is not None and changed[0] == 302:
                    dismissed = not dismissed
                browser.pause(READING)
    finally:
        browser.close()
    return browser.tallies


def _spare_candidate() -> tuple[str | None, int | None]:
    """A generated candidate no topic links to, for the organizer to dismiss and restore."""
    from bench.search import ID_PREFIX
    from papers.models import CandidatePaper

    paper = (
        CandidatePaper.objects.filter(
            arxiv_id__startswith=ID_PREFIX,
            status__in=(CandidatePaper.Status.CANDIDATE, CandidatePaper.Status.DISMISSED),
            topics__isnull=True,
        )
        .order_by("-arxiv_id")
        .only("pk", "arxiv_id")
        .first()
    )
    return (paper.arxiv_id, paper.pk) if paper else (None, None)


def run_mixed(
    context,
    port: int,
    cpu: Callable[[], tuple[float, float]],
    *,
    draft_save: Callable,
    after_draft_save: Callable,
    review_fields: Callable,
    seconds: float = SECONDS,
) -> dict[str, object]:
    """Run the workload for `seconds`; the per-type and overall figures."""
    from papers.models import CandidatePaper

    paper_id, paper_pk = _spare_candidate()
    if paper_pk is not None:
        CandidatePaper.objects.filter(pk=paper_pk).update(status=CandidatePaper.Status.CANDIDATE)
    results: list[tuple[dict[str, Tally], int]] = []
    lock = threading.Lock()

    def keep(tallies: dict[str, Tally], submitted: int = 0) -> None:
        with lock:
            results.append((tallies, submitted))

    started = time.perf_counter()
    until = started + seconds
    threads = [
        threading.Thread(
            target=lambda c=client, n=number: keep(
                *member_sessions(
                    c,
                    port,
                    until,
                    random.Random(SEED * 1000 + n),
                    draft_save,
                    after_draft_save,
                    review_fields,
                )
            ),
            daemon=True,
        )
        for number, client in enumerate(context.clients)
    ]
    if context.organizer is not None:
        threads.append(
            threading.Thread(
                target=lambda: keep(
                    organizer_rounds(
                        context.organizer, port, until, random.Random(SEED * 1000 - 1), paper_id
                    )
                ),
                daemon=True,
            )
        )
    app_before, db_before = cpu()
    own_before = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + TIMEOUT + 5)
    elapsed = time.perf_counter() - started
    own = time.process_time() - own_before
    app_after, db_after = cpu()
    if paper_pk is not None:  # as it was: a candidate
        CandidatePaper.objects.filter(pk=paper_pk).update(status=CandidatePaper.Status.CANDIDATE)

    tallies: dict[str, Tally] = {}
    for per_client, _submitted in results:
        for kind, tally in per_client.items():
            tallies.setdefault(kind, Tally()).merge(tally)
    requests = sum(len(t.latencies) for t in tallies.values())
    ordered = [k for k in TYPES if k in tallies] + sorted(set(tallies) - set(TYPES))
    return {
        "seconds": round(elapsed, 1),
        "members": len(context.clients),
        "organizers": 1 if context.organizer is not None else 0,
        "sessions_submitted": sum(s for _t, s in results),
        "requests": requests,
        "rps": round(requests / elapsed, 1),
        "server_cpu_ms": round((app_after - app_before) * 1000 / max(requests, 1), 2),
        "db_cpu_ms": round((db_after - db_before) * 1000 / max(requests, 1), 2),
        "generator_cpu_percent": round(own * 100 / elapsed, 1),
        "types": {kind: tallies[kind].summary() for kind in ordered},
    }


def missed(summary: dict[str, object], target_ms: float = TARGET_P95_MS) -> list[str]:
    """Which targets a request type missed: p95 under `target_ms`, no errors."""
    labels = []
    if summary.get("count") and float(summary["p95_ms"]) >= target_ms:
        labels.append("p95")
    if summary.get("errors"):
        labels.append("errors")
    return labels


def report_lines(mixed: dict[str, object]) -> list[str]:
    """The mixed workload's table."""
    lines = [
        f"mixed workload: {mixed['members']} members + {mixed['organizers']} organizer, "
        f"{mixed['seconds']} s, {mixed['sessions_submitted']} sessions submitted; "
        f"target p95 < {TARGET_P95_MS:g} ms, no errors",
        f"{'request':<14}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  missed",
    ]
    for kind, summary in mixed["types"].items():
        lines.append(
            f"{kind:<14}{summary['count']:>7}{summary.get('p50_ms', '-'):>9}"
            f"{summary.get('p95_ms', '-'):>9}{summary.get('p99_ms', '-'):>9}  "
            f"{', '.join(missed(summary))} {summary.get('errors') or ''}".rstrip()
        )
    lines.append(
        f"{'all':<14}{mixed['requests']:>7}  {mixed['rps']} req/s, server CPU "
        f"{mixed['server_cpu_ms']} ms + db {mixed['db_cpu_ms']} ms per request; "
        f"load generator {mixed['generator_cpu_percent']}% of one core"
    )
    return lines
