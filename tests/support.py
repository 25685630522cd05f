"""Helpers several test packages share (one copy each, here)."""

from __future__ import annotations

import subprocess
import time
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

# Tests that need a second connection or process on the test database, or concurrent writers:
# PostgreSQL only (the SQLite test database is in memory, private to this process).
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent connections or processes on the test database (PostgreSQL)",
)


def test_database_url() -> str:
    """A DATABASE_URL for a subprocess to work on this test database."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def wait_for(predicate, *, timeout: float = 30.0, process: subprocess.Popen | None = None) -> Any:
    """Poll `predicate` until it returns something true and return that; fail after `timeout`
    seconds, or as soon as `process` (when given) has ended, with its output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if process is not None and process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise AssertionError(f"the process ended early:\n{output}")
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def signed_in(user) -> Any:
    """A test client of its own, signed in as `user` (several members side by side)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
