"""Fixtures for the fault tests: the test database's URL for subprocesses, a broker that is
down (or hangs), and a Celery app switched back whatever a test did to it."""

from __future__ import annotations

import os
import socket
import threading

import pytest

from tests.support import postgres_only, test_database_url  # noqa: F401  (re-exported)


def _reset_producer_pools() -> None:
    """Forget the app's cached broker pool, so the next send uses `broker_url` as set (kombu
    keeps one pool per broker address, so going back to an address finds its pool again)."""
    from seminar.config.celery import app

    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_at(settings, monkeypatch):
    """`broker_at("redis://…")` points the app at another broker, eager mode off;
    `broker_at(None)` puts back the test settings (the broker is back; tasks run in-process)."""
    from seminar.config.celery import app

    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    previous_env = os.environ.get("CELERY_BROKER_URL")

    def point(url: str | None) -> None:
        _reset_producer_pools()
        if url is None:
            app.conf.update(previous)
            settings.CELERY_TASK_ALWAYS_EAGER = previous["task_always_eager"]
            if previous_env is None:
                monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
            else:
                monkeypatch.setenv("CELERY_BROKER_URL", previous_env)
            return
        # Celery reads CELERY_BROKER_URL from the environment before its own settings.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        app.conf.update(broker_url=url, task_always_eager=False)
        settings.CELERY_TASK_ALWAYS_EAGER = False

    yield point
    app.conf.update(previous)
    _reset_producer_pools()


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on (what a stopped Redis looks like)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_port():
    """A local port that accepts connections and never answers (a hung Redis)."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    accepted, stop = [], threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    server.close()
