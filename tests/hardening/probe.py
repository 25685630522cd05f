"""Shared by the matrix and CSP tests: request one URL as one role and watch what it wrote."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client

from tests.hardening.matrix_world import MatrixWorld, post_data, url_values
from tests.hardening.urls import Route, fill

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.I)
# The session row is how signing in works, and not the app's data.
_IGNORED_TABLES = ("django_session",)


@dataclass
class Outcome:
    status: int
    location: str
    content_type: str
    body: bytes
    headers: dict[str, str]
    writes: list[str]
    inspected: Any = None  # what `inspect` saw, before the request's changes were undone


@contextmanager
def _watch_writes(writes: list[str]):
    """Collect the statements that changed rows (a DELETE scoped to the requester's own rows
    that matches nothing changed nothing, and is how some views refuse)."""

    def watcher(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        changed = context["cursor"].rowcount != 0
        if changed and _WRITE.match(sql) and not any(t in sql for t in _IGNORED_TABLES):
            writes.append(sql)
        return result

    with connection.execute_wrapper(watcher):
        yield


def path_for(route: Route, world: MatrixWorld) -> str:
    if route.namespace == "admin":
        return fill(route.route, _admin_values(route.route, world))
    return fill(route.route, url_values(world).get(route.key, {}))


def _admin_values(route: str, world: MatrixWorld) -> dict[str, str]:
    parts = route.split("/")
    values = {"app_label": "seminar", "url": "no-such-page/"}
    if len(parts) > 3 and parts[1] not in ("r",):
        try:
            model = apps.get_model(parts[1], parts[2])
        except (LookupError, ValueError):
            model = None
        if model is not None:
            first = model._default_manager.order_by("pk").first()
            values["object_id"] = values["id"] = str(first.pk if first else 1)
    values.setdefault("object_id", str(world.week.pk))
    values["content_type_id"] = str(ContentType.objects.get_for_model(world.week).pk)
    return values


def clients_for(world: MatrixWorld) -> dict[str, Client]:
    """One client per role, signed in once (sessions outlive the per-request rollbacks)."""
    clients = {}
    for role, user in world.users.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        clients[role] = client
    return clients


def request(
    clients: dict[str, Client],
    world: MatrixWorld,
    route: Route,
    role: str,
    method: str,
    inspect: Callable[[], Any] | None = None,
) -> Outcome:
    """Send one request as `role`; whatever it changed is rolled back afterwards (after
    `inspect`, if given, has looked at the database as the request left it)."""
    path = path_for(route, world)
    client = clients[role]
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    writes: list[str] = []
    savepoint = transaction.savepoint()
    try:
        with _watch_writes(writes):
            if method == "POST":
                response = client.post(path, post_data(route.key, world))
            else:
                response = client.generic(method, path)
        return Outcome(
            status=response.status_code,
            location=response.get("Location", ""),
            content_type=response.get("Content-Type", ""),
            body=b"" if getattr(response, "streaming", False) else response.content,
            headers=dict(response.items()),
            writes=writes,
            inspected=inspect() if inspect is not None else None,
        )
    finally:
        transaction.savepoint_rollback(savepoint)
        # A sign-out (or sign-in) is undone with the rest: the role keeps its session.
        if session is not None:
            client.cookies[settings.SESSION_COOKIE_NAME] = session.value
        else:
            client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
