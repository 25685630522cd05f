"""The database restarting under a running app: requests fail cleanly, then it recovers.

To the app a restart is every connection dropped at once; PostgreSQL does exactly that with
`pg_terminate_backend`. The app runs as in production: gunicorn (a sync worker, so one
connection serves request after request, kept for `CONN_MAX_AGE`) on the test database.
Django's own live server closes its connections after every request, so it would recover
whatever the settings; gunicorn keeps them, and without `CONN_HEALTH_CHECKS` (settings, on for
PostgreSQL) it would answer 500 until the connection aged out.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client

from tests.factories import UserFactory
from tests.hardening.conftest import postgres_only, test_database_url

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def _get(url: str, cookie: str = "") -> tuple[int, str, float]:
    started = time.monotonic()
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    return status, body, time.monotonic() - started


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn():
    """The web process on the test database; yields its base URL."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "seminar.config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "30",
        ],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "seminar.config.test_settings",
            "DATABASE_URL": test_database_url(),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                raise AssertionError(f"gunicorn did not start:\n{output}")
            time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _app_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _drop_every_other_connection() -> int:
    """What a database restart looks like to the app: every session to it ends."""
    killer = connections.create_connection("default")
    try:
        with killer.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return sum(1 for (ended,) in cursor.fetchall() if ended)
    finally:
        killer.close()


def test_requests_fail_cleanly_then_recover_when_the_database_restarts(gunicorn):
    db = settings.DATABASES["default"]
    assert db["CONN_MAX_AGE"] > 0 and db["CONN_HEALTH_CHECKS"] is True
    member = UserFactory()
    browser = Client()
    browser.force_login(member)
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    url = gunicorn + "/weeks/"

    status, body, _ = _get(url, cookie)
    assert status == 200 and "<html" in body
    assert _app_connections() >= 1  # the worker kept its connection open for the next one

    assert _drop_every_other_connection() >= 1
    connection.close()  # this test's own connection was dropped too

    # The first request after the restart may only fail cleanly (a bare 500, at once); with
    # the health check it finds the dead connection before using it, reconnects and succeeds.
    # (Without it, this one is a 500 and the worker reconnects for the next request.)
    status, body, took = _get(url, cookie)
    assert took < 10
    assert "Traceback" not in body and "psycopg" not in body and "terminating" not in body
    assert status == 200
    # Then the app serves again, on a fresh connection.
    for _ in range(3):
        status, body, _ = _get(url, cookie)
        assert status == 200 and "<html" in body
