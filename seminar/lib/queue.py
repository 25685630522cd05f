"""Handing work to the worker: one way to enqueue, which never fails a request.

Every enqueue in the app goes through `enqueue` (or `enqueue_on_commit` from inside a
transaction). With the broker down it gives up after a short wait (see the `CELERY_BROKER_*` and
`CELERY_TASK_PUBLISH_RETRY_POLICY` settings), logs a warning and returns False, so the page that
asked still answers. Nothing is lost that way, because the database, not the broker, is the
record of what is owed, and a sweeper on beat picks up whatever was never sent:

- a digest stays pending: `papers.resume_stalled_imports` re-enqueues it;
- an assignment change stays unnotified: `seminar.send_pending_assignment_emails` mails it;
- a reminder row stays queued: the next `seminar.send_due_reminders` sends it.

When tasks run in-process (no broker configured, and in most tests) there is nothing to
reach, so nothing is caught: a task's own exception propagates as it always did.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What publishing raises when the broker cannot be reached: kombu wraps connection errors
# in OperationalError after its retries; a socket timeout or a refused connection can also
# surface as an OSError (ConnectionError, TimeoutError) or as redis-py's own errors.
BROKER_ERRORS: tuple[type[BaseException], ...] = (BrokerOperationalError, RedisError, OSError)


def enqueue(task: Task, *args: Any, **kwargs: Any) -> bool:
    """Send `task(*args, **kwargs)` to the worker; False (and a warning) if the broker is down."""
    if task.app.conf.task_always_eager:
        task.apply_async(args=args, kwargs=kwargs)
        return True
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except BROKER_ERRORS as exc:
        logger.warning(
            "Could not send %s%r to the broker (%s: %s); a sweeper will send it later.",
            task.name,
            args,
            type(exc).__name__,
            exc,
        )
        return False
    return True


def enqueue_on_commit(task: Task, *args: Any, using: str | None = None, **kwargs: Any) -> None:
    """`enqueue` once the current transaction commits (at once outside one), so the worker
    always finds the rows the task is about."""
    transaction.on_commit(partial(enqueue, task, *args, **kwargs), using=using)


def worker_gone_after() -> timedelta:
    """How long after a task started its worker is certainly gone: Celery kills a task at its
    hard time limit (`CELERY_TASK_TIME_LIMIT`) at the latest, and a minute more allows for the
    kill itself and for clocks. Work claimed longer ago than this was abandoned and may be
    taken up again (a stalled import, a reminder left "sending")."""
    limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", None) or 600
    return timedelta(seconds=limit + 60)
