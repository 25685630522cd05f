"""The embedded SQLite database under concurrent writes (issue 10, finding 16).

SQLite's default (deferred) transactions start as readers and upgrade to writers at the first
write; two requests that both read and then write deadlock, and SQLite answers one of them at
once with "database is locked" (a 500), whatever the busy timeout. The production settings
open every transaction with BEGIN IMMEDIATE and wait on the lock, so concurrent requests queue
instead. The test database is in memory; these tests open a file database with the settings a
deployment gets, as the app's worker threads would.
"""

from __future__ import annotations

import runpy
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sites.models import Site
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "seminar" / "config" / "settings.py"
ALIAS = "sqlite_race"
THREADS = 8
ROUNDS = 15
DOMAINS = ("a.example", "b.example")


def _production_database(monkeypatch, url: str) -> dict[str, Any]:
    monkeypatch.setenv("DATABASE_URL", url)
    namespace = runpy.run_path(str(SETTINGS_FILE))
    return namespace["DATABASES"]["default"]


@pytest.fixture
def race_database(tmp_path: Path, monkeypatch, django_db_blocker) -> Iterator[dict[str, Any]]:
    """A file SQLite database configured as production configures one, with a `Site` table."""
    config = _production_database(monkeypatch, f"sqlite:///{tmp_path / 'race.sqlite3'}")
    configured = connections.configure_settings(
        {DEFAULT_DB_ALIAS: dict(connections.settings[DEFAULT_DB_ALIAS]), ALIAS: dict(config)}
    )
    connections.settings[ALIAS] = configured[ALIAS]
    with django_db_blocker.unblock():
        with connections[ALIAS].schema_editor() as editor:
            editor.create_model(Site)
        connections[ALIAS].close()
        yield config
        connections[ALIAS].close()
    # Forget this thread's connection too, or the next test would reuse it on the old file.
    del connections[ALIAS]
    del connections.settings[ALIAS]


def _race(work) -> list[BaseException]:
    """Run `work()` in THREADS threads at once (each with its own connection); their errors."""
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def run() -> None:
        try:
            start.wait()
            work()
        except BaseException as error:  # collected for the assertion below
            errors.append(error)
        finally:
            connections[ALIAS].close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_production_sqlite_opens_immediate_transactions_and_waits_on_the_lock(monkeypatch):
    config = _production_database(monkeypatch, "sqlite:////tmp/seminar-probe.sqlite3")
    options = config["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 10
    assert "journal_mode=WAL" in options["init_command"]
    assert "synchronous=NORMAL" in options["init_command"]


def test_concurrent_read_then_write_transactions_all_succeed(race_database):
    def work() -> None:
        for _round in range(ROUNDS):
            for domain in DOMAINS:
                with transaction.atomic(using=ALIAS):
                    site, _created = Site.objects.using(ALIAS).get_or_create(
                        domain=domain, defaults={"name": "0"}
                    )
                    time.sleep(0.001)  # what a view does between reading and writing
                    site.name = str(int(site.name) + 1)
                    site.save(using=ALIAS)

    errors = _race(work)
    assert [e for e in errors if isinstance(e, OperationalError)] == []
    assert errors == []
    # Every increment counted: no request was refused and none overwrote another.
    counts = dict(Site.objects.using(ALIAS).values_list("domain", "name"))
    assert counts == {domain: str(THREADS * ROUNDS) for domain in DOMAINS}


def test_concurrent_get_or_create_makes_one_row_and_no_error(race_database):
    def work() -> None:
        for number in range(ROUNDS):
            with transaction.atomic(using=ALIAS):
                Site.objects.using(ALIAS).get_or_create(
                    domain=f"topic-{number}.example", defaults={"name": "topic"}
                )

    errors = _race(work)
    assert errors == []
    assert Site.objects.using(ALIAS).filter(domain__startswith="topic-").count() == ROUNDS
