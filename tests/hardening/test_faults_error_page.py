"""The 500 page with the database unreachable: the app as in production (gunicorn, DEBUG off)
pointed at a port nothing listens on, so every request that needs the database fails. The
page must still be the app's own, in the visitor's language, without a traceback."""

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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def app_without_database():
    port = _free_port()
    dead = _free_port()  # nothing listens there: the database is down
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
            "DATABASE_URL": f"postgres://nobody@127.0.0.1:{dead}/nothing",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(base + "/static/css/app.css", {})
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    out = process.stdout.read().decode(errors="replace") if process.stdout else ""
                    raise AssertionError(f"gunicorn did not start:\n{out}") from None
                time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.parametrize(
    ("language", "heading"),
    [("ko", '<html lang="ko">'), ("en", "Something went wrong on our side")],
)
def test_the_500_page_renders_with_the_database_down(app_without_database, language, heading):
    # A session cookie makes the app look the visitor up in the database: that fails.
    status, body = _get(
        app_without_database + "/weeks/",
        {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345", "Accept-Language": language},
    )
    assert status == 500
    assert heading in body
    assert 'class="topbar"' in body and 'href="/"' in body
    assert "Traceback" not in body and "psycopg" not in body and "OperationalError" not in body
    assert "app.css" in body  # styled like the rest, from static files only
