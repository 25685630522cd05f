"""Reminder emails: who is due what at a given moment, and sending each one at most once.

Three steps, each a plain function of an explicit `now` so tests can travel in time:

1. Plan: `due_deadline_reminders(now)`, `due_weekly_reminders(now)` and `assignment_notice()`
   return `Due` items: recipient, kind, key (what it is about) and when it may leave (quiet
   hours move that to the next morning in the recipient's zone).
2. Queue: `queue_reminders()` inserts one `SentReminder` row per item with ON CONFLICT DO
   NOTHING; the unique (recipient, kind, key) constraint makes planning idempotent, so a second
   run, a retry or a concurrent worker can never queue the same email twice.
3. Deliver: `deliver_reminder()` claims a row by one conditional UPDATE (queued/failed and due
   -> sending). Only the caller whose UPDATE changed the row sends; it checks the email is still
   wanted, renders it in the recipient's language and zone, sends, and marks it sent.

What a crash costs. The claim is committed before the SMTP conversation and the row is marked
sent right after it, so a worker killed in between leaves the row in "sending". Once a row has
been sending for longer than any task may live (`seminar.lib.queue.worker_gone_after()`: the
hard time limit `CELERY_TASK_TIME_LIMIT` and a minute, after which the task that claimed it is
certainly dead),
the next run (`send_due_reminders` every 15 minutes, or the `send_reminders` command) puts it
back in the queue with `requeue_interrupted()`, and it is sent. Nothing is lost to a crash, and
nothing already sent goes out again, with one exception by choice: a crash inside the SMTP
conversation itself, after the server took the message but before the row said so, sends that
one email twice. At least once there, rather than at most once: a missed deadline reminder
costs the group more than a duplicate. Each claim counts as an attempt, so an email that kills
its worker every time ends as "gave up" after `max_attempts`. `EMAIL_TIMEOUT` bounds the SMTP
conversation, so even the command (no task time limit) never holds a claim that long.

A send that raised is known not to have gone out and is retried with backoff; a refused
address, or `max_attempts` failures, ends as "gave up".
"""

from __future__ import annotations

import enum
import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from seminar.lib.queue import worker_gone_after
from seminar.models import (
    AssignmentChange,
    ReminderPolicy,
    SentReminder,
)
from seminar.reminders.emails import _change_id, build_message
from seminar.reminders.planning import (
    Due,
    Kind,
    _members_wanting,
    assignment_notice,
    due_deadline_reminders,
    due_weekly_reminders,
)
from seminar.reminders.timing import release_time, retry_delay, zone_of

logger = logging.getLogger(__name__)


Status = SentReminder.Status


# Assignment changes whose email was never queued (the broker was down when they committed)
# are mailed by `send_pending_assignment_emails` once this old (the task sent on commit goes
# first) and until this old (after that, the news is stale).
ASSIGNMENT_SWEEP_AFTER = timedelta(minutes=1)


ASSIGNMENT_SWEEP_WITHIN = timedelta(days=2)


class Outcome(enum.Enum):
    SENT = "sent"
    SKIPPED = "skipped"  # someone else has it, it is not due yet, or it is gone
    HELD = "held"  # quiet hours in the recipient's zone: back to the queue until morning
    CANCELLED = "cancelled"  # no longer wanted (submitted, opted out, unassigned ...)
    RETRY = "retry"
    GAVE_UP = "gave_up"


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    retry_in: float | None = None  # seconds, for the task's Celery retry


def queue_reminders(dues: Sequence[Due]) -> None:
    """Log each due email as queued; rows already there are left alone (ON CONFLICT DO
    NOTHING), which is what makes planning safe to run twice or concurrently."""
    SentReminder.objects.bulk_create(
        [due.as_row() for due in dues], ignore_conflicts=True, batch_size=500
    )


def deliverable_ids(now: datetime) -> list[int]:
    return list(
        SentReminder.objects.filter(status__in=[Status.QUEUED, Status.FAILED], send_after__lte=now)
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)
    )


def queue_due_reminders(now: datetime) -> list[int]:
    """Queue the deadline reminders due at `now`, and interrupted sends again; the ids of
    every row ready to send."""
    requeue_interrupted(now)
    queue_reminders(due_deadline_reminders(now))
    return deliverable_ids(now)


def queue_weekly_reminders(now: datetime) -> list[int]:
    """Queue the weekly round; the ids of every row ready to send."""
    queue_reminders(due_weekly_reminders(now))
    return deliverable_ids(now)


def sending_stale_after() -> timedelta:
    """How long a row may stay "sending" before its sender counts as dead."""
    return worker_gone_after()


def requeue_interrupted(now: datetime, policy: ReminderPolicy | None = None) -> int:
    """Put rows whose sender died mid-send back in the queue (see the module docstring);
    those that used up `max_attempts` give up instead. Returns how many were queued again."""
    policy = policy or ReminderPolicy.current()
    stale = SentReminder.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - sending_stale_after()
    )
    note = "Interrupted while sending (the worker stopped)"
    stale.filter(attempts__gte=policy.max_attempts).update(
        status=Status.GAVE_UP, last_error=f"{note}; gave up after the last attempt."
    )
    return stale.update(status=Status.QUEUED, send_after=now, last_error=f"{note}; sent again.")


def pending_assignment_changes(now: datetime) -> list[int]:
    """Assignment changes whose email was never queued, oldest first: the task sent when the
    change committed never reached the worker (the broker was down).

    Only changes an email is wanted for (`assignment_notice`'s rules: the member takes them,
    somebody else made the change, the week is ahead), older than `ASSIGNMENT_SWEEP_AFTER` and
    younger than `ASSIGNMENT_SWEEP_WITHIN`, and not superseded by a later change to the same
    role (that one says where things stand).
    """
    later = AssignmentChange.objects.filter(
        topic_id=OuterRef("topic_id"),
        member_id=OuterRef("member_id"),
        role=OuterRef("role"),
        pk__gt=OuterRef("pk"),
    )
    ids = list(
        AssignmentChange.objects.filter(
            _members_wanting(Kind.ASSIGNMENT, "member__"),
            notified_at__isnull=True,
            created_at__lte=now - ASSIGNMENT_SWEEP_AFTER,
            created_at__gte=now - ASSIGNMENT_SWEEP_WITHIN,
            topic__week__starts_at__gt=now,
        )
        .exclude(Q(actor_id=F("member_id")) & ~Q(reason=AssignmentChange.Reason.SWAP))
        .exclude(Exists(later))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return []
    logged = set(
        SentReminder.objects.filter(
            kind=Kind.ASSIGNMENT, key__in=[f"change:{pk}" for pk in ids]
        ).values_list("key", flat=True)
    )
    return [pk for pk in ids if f"change:{pk}" not in logged]


def queue_assignment_notice(*, change_id: int, now: datetime) -> int | None:
    change = (
        AssignmentChange.objects.select_related("member", "topic__week")
        .filter(pk=change_id)
        .first()
    )
    if change is None:
        return None
    due = assignment_notice(change, now)
    if due is None:
        return None
    queue_reminders([due])
    return (
        SentReminder.objects.filter(recipient=change.member, kind=due.kind, key=due.key)
        .values_list("pk", flat=True)
        .first()
    )


def claim(reminder_id: int, now: datetime) -> bool:
    """Take a due row for sending. Exactly one concurrent caller gets True: the UPDATE's
    condition is re-checked under the row lock, after any other claim has committed."""
    return bool(
        SentReminder.objects.filter(
            pk=reminder_id, status__in=[Status.QUEUED, Status.FAILED], send_after__lte=now
        ).update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    )


def deliver_reminder(
    reminder_id: int,
    *,
    now: datetime | None = None,
    policy: ReminderPolicy | None = None,
    connection=None,
) -> Delivery:
    """Send one logged reminder if it is due and nobody else has it; see the module docstring."""
    now = now or timezone.now()
    if not claim(reminder_id, now):
        return Delivery(Outcome.SKIPPED)
    reminder = SentReminder.objects.select_related("recipient", "week").get(pk=reminder_id)
    policy = policy or ReminderPolicy.current()
    release = release_time(now, zone_of(reminder.recipient), policy)
    if release > now:
        # Queued in the day but the recipient's night has started (or their zone changed).
        _update(reminder, status=Status.QUEUED, send_after=release, attempts=F("attempts") - 1)
        return Delivery(Outcome.HELD)
    try:
        message = build_message(reminder, now, connection=connection)
    except Exception as exc:
        logger.exception("Could not build reminder %s", reminder_id)
        return _failed(reminder, policy, now, exc, permanent=False)
    if message is None:
        _update(reminder, status=Status.CANCELLED)
        return Delivery(Outcome.CANCELLED)
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        return _failed(reminder, policy, now, exc, permanent=True)
    except Exception as exc:
        logger.warning("Sending reminder %s failed: %r", reminder_id, exc)
        return _failed(reminder, policy, now, exc, permanent=False)
    sent = {"status": Status.SENT, "sent_at": now, "address": message.to[0], "last_error": ""}
    if reminder.kind == Kind.ASSIGNMENT:
        with transaction.atomic():
            _update(reminder, **sent)
            AssignmentChange.objects.filter(pk=_change_id(reminder)).update(notified_at=now)
    else:
        _update(reminder, **sent)
    return Delivery(Outcome.SENT)


def _update(reminder: SentReminder, **fields) -> None:
    SentReminder.objects.filter(pk=reminder.pk).update(**fields)


def _failed(
    reminder: SentReminder,
    policy: ReminderPolicy,
    now: datetime,
    exc: BaseException,
    *,
    permanent: bool,
) -> Delivery:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if permanent or reminder.attempts >= policy.max_attempts:
        _update(reminder, status=Status.GAVE_UP, last_error=error)
        return Delivery(Outcome.GAVE_UP)
    delay = retry_delay(reminder.attempts)
    _update(reminder, status=Status.FAILED, send_after=now + delay, last_error=error)
    return Delivery(Outcome.RETRY, retry_in=delay.total_seconds())


def run_reminders(now: datetime, *, weekly: bool = False, connection=None) -> dict[Outcome, int]:
    """Queue what is due at `now` and send every ready row here, one after another.

    For the command, the benchmark and tests; the worker fans the rows out to tasks instead.
    """
    policy = ReminderPolicy.current()
    requeue_interrupted(now, policy)
    dues = due_deadline_reminders(now, policy)
    if weekly:
        dues += due_weekly_reminders(now, policy)
    queue_reminders(dues)
    counts = dict.fromkeys(Outcome, 0)
    for reminder_id in deliverable_ids(now):
        result = deliver_reminder(reminder_id, now=now, policy=policy, connection=connection)
        counts[result.outcome] += 1
    return counts


def preview(now: datetime, *, weekly: bool = False) -> list[tuple[datetime, str, str, str]]:
    """What a run at `now` would send, without writing anything: (when, kind, to, about)."""
    policy = ReminderPolicy.current()
    dues = due_deadline_reminders(now, policy)
    if weekly:
        dues += due_weekly_reminders(now, policy)
    rows = [(d.send_after, d.kind, d.recipient.email, str(d.week or d.key)) for d in dues]
    ready = SentReminder.objects.filter(pk__in=deliverable_ids(now)).select_related(
        "recipient", "week"
    )
    rows += [(r.send_after, r.kind, r.recipient.email, str(r.week or r.key)) for r in ready]
    return sorted(rows, key=lambda row: (row[0], row[2]))


def delivery_problems(now: datetime) -> dict[str, list[SentReminder]]:
    """Rows organizers should know about: given up, retrying, interrupted mid-send (and not
    yet queued again: the due-reminders run is late, or beat is down)."""
    rows = SentReminder.objects.select_related("recipient", "week__term").order_by("-created_at")
    return {
        "gave_up": list(rows.filter(status=Status.GAVE_UP)[:200]),
        "retrying": list(rows.filter(status=Status.FAILED)[:200]),
        "interrupted": list(
            rows.filter(status=Status.SENDING, claimed_at__lt=now - sending_stale_after())[:200]
        ),
        "held": list(rows.filter(status=Status.QUEUED, send_after__gt=now)[:200]),
    }


def counts_by_status(since: datetime) -> dict[str, int]:
    rows = (
        SentReminder.objects.filter(created_at__gte=since)
        .values_list("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return dict(rows)
