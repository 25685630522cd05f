"""Notification emails: right away or in a daily digest, each at most once.

As reminders do (`seminar.reminders.delivery`), an email is a `NotificationEmail` row before
it is anything else, unique per (recipient, key):

- right away: `n:<notification id>`, queued in the transaction that made the notification
  (`services.notify`), held to the end of the quiet hours in the member's zone;
- the digest: `digest:<local date>`, queued by `queue_digests(now)` once the member's hour has
  come that day in their zone (moved to the end of the quiet hours when inside them), with
  what happened before that moment (later news waits for the next day's digest). The row
  is inserted with ON CONFLICT DO NOTHING, then locked, and the member's waiting notifications
  are attached to it only while it is still queued: two runs (or two workers at once) make one
  row, and a notification made after the digest left waits for the next one.

Sending claims the row with one conditional UPDATE (queued/failed and due -> sending): only
one caller sends. A row left "sending" by a dead worker is queued again after
`worker_gone_after()`. What is no longer wanted (read in the app already, the comment deleted
or hidden, the member changed the setting or left) is cancelled, not sent.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from seminar.discussion.emails import build_message
from seminar.lib.queue import worker_gone_after
from seminar.models import (
    Channel,
    Notification,
    NotificationEmail,
    NotificationSettings,
    ReminderPolicy,
    User,
)
from seminar.reminders.timing import release_time, retry_delay, zone_of

logger = logging.getLogger(__name__)

Status = NotificationEmail.Status
KINDS = tuple(Notification.Kind.values)
# A notification not emailed within this long (a digest member who was away) stays in the app.
DIGEST_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class Delivery:
    outcome: str  # sent, skipped, held, cancelled, retry, gave_up
    retry_in: float | None = None


def digest_due_at(day, hour: int, zone, policy: ReminderPolicy) -> datetime:
    """When the digest of local `day` may leave: `hour` there, after the quiet hours."""
    return release_time(datetime.combine(day, time(hour), tzinfo=zone), zone, policy)


def current_digest(
    now: datetime, hour: int, zone, policy: ReminderPolicy
) -> tuple[str, datetime] | None:
    """The key and moment of the member's latest digest whose time has come, if any."""
    today = now.astimezone(zone).date()
    for day in (today, today - timedelta(days=1)):
        due = digest_due_at(day, hour, zone, policy)
        if due <= now:
            return f"digest:{day.isoformat()}", due
    return None


def _waiting(now: datetime):
    return Notification.objects.filter(
        email__isnull=True,
        read_at__isnull=True,
        created_at__lte=now,
        created_at__gte=now - DIGEST_LOOKBACK,
    )


def queue_digests(now: datetime, policy: ReminderPolicy | None = None) -> list[int]:
    """Queue the digests due at `now`; the ids of the rows queued or found queued."""
    policy = policy or ReminderPolicy.current()
    waiting = _waiting(now)
    member_ids = set(waiting.values_list("recipient_id", flat=True).distinct())
    if not member_ids:
        return []
    settings_of = {
        s.member_id: s for s in NotificationSettings.objects.filter(member_id__in=member_ids)
    }
    ids = []
    for member in User.objects.filter(pk__in=member_ids, is_active=True):
        choices = settings_of.get(member.pk) or NotificationSettings(member=member)
        kinds = [k for k in KINDS if choices.channel_for(k) == Channel.DIGEST]
        if not kinds:
            continue
        found = current_digest(now, choices.digest_hour, zone_of(member), policy)
        if found is None:
            continue
        key, due = found
        email_id = _claim_digest(member=member, key=key, kinds=kinds, due=due, now=now)
        if email_id is not None:
            ids.append(email_id)
    return ids


@transaction.atomic
def _claim_digest(
    *, member: User, key: str, kinds: list[str], due: datetime, now: datetime
) -> int | None:
    NotificationEmail.objects.bulk_create(
        [
            NotificationEmail(
                recipient=member,
                kind=NotificationEmail.Kind.DIGEST,
                key=key,
                send_after=due,
                created_at=now,
            )
        ],
        ignore_conflicts=True,
    )
    row = NotificationEmail.objects.select_for_update().get(recipient=member, key=key)
    if row.status not in (Status.QUEUED, Status.FAILED):
        return None  # this day's digest went (or was given up): the rest waits for the next
    # What happened before this digest's moment; later news waits for the next one.
    _waiting(now).filter(recipient=member, kind__in=kinds, created_at__lt=due).update(email=row)
    return row.pk


def requeue_interrupted(now: datetime, policy: ReminderPolicy | None = None) -> int:
    policy = policy or ReminderPolicy.current()
    stale = NotificationEmail.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - worker_gone_after()
    )
    note = "Interrupted while sending (the worker stopped)"
    stale.filter(attempts__gte=policy.max_attempts).update(
        status=Status.GAVE_UP, last_error=f"{note}; gave up after the last attempt."
    )
    return stale.update(status=Status.QUEUED, send_after=now, last_error=f"{note}; sent again.")


def deliverable_ids(now: datetime) -> list[int]:
    return list(
        NotificationEmail.objects.filter(
            status__in=[Status.QUEUED, Status.FAILED], send_after__lte=now
        )
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)
    )


def queue_due(now: datetime) -> list[int]:
    """What the beat task does before sending: interrupted rows back, digests queued; the
    ids of every row ready to send."""
    policy = ReminderPolicy.current()
    requeue_interrupted(now, policy)
    queue_digests(now, policy)
    return deliverable_ids(now)


def claim(email_id: int, now: datetime) -> bool:
    """Exactly one concurrent caller gets True (the UPDATE re-checks under the row lock)."""
    return bool(
        NotificationEmail.objects.filter(
            pk=email_id, status__in=[Status.QUEUED, Status.FAILED], send_after__lte=now
        ).update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    )


def _update(email: NotificationEmail, **fields) -> None:
    NotificationEmail.objects.filter(pk=email.pk).update(**fields)


def deliver_email(
    email_id: int,
    *,
    now: datetime | None = None,
    policy: ReminderPolicy | None = None,
    connection=None,
) -> Delivery:
    now = now or timezone.now()
    if not claim(email_id, now):
        return Delivery("skipped")
    email = NotificationEmail.objects.select_related("recipient").get(pk=email_id)
    policy = policy or ReminderPolicy.current()
    release = release_time(now, zone_of(email.recipient), policy)
    if release > now:
        _update(email, status=Status.QUEUED, send_after=release, attempts=F("attempts") - 1)
        return Delivery("held")
    try:
        message = build_message(email, now, connection=connection)
    except Exception as exc:
        logger.exception("Could not build notification email %s", email_id)
        return _failed(email, policy, now, exc, permanent=False)
    if message is None:
        _update(email, status=Status.CANCELLED)
        return Delivery("cancelled")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        return _failed(email, policy, now, exc, permanent=True)
    except Exception as exc:
        logger.warning("Sending notification email %s failed: %r", email_id, exc)
        return _failed(email, policy, now, exc, permanent=False)
    _update(email, status=Status.SENT, sent_at=now, address=message.to[0], last_error="")
    return Delivery("sent")


def _failed(email, policy, now, exc, *, permanent: bool) -> Delivery:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if permanent or email.attempts >= policy.max_attempts:
        _update(email, status=Status.GAVE_UP, last_error=error)
        return Delivery("gave_up")
    delay = retry_delay(email.attempts)
    _update(email, status=Status.FAILED, send_after=now + delay, last_error=error)
    return Delivery("retry", retry_in=delay.total_seconds())


def run_notification_emails(now: datetime, *, connection=None) -> dict[str, int]:
    """Queue what is due at `now` and send every ready row here (tests, commands)."""
    counts: dict[str, int] = {}
    for email_id in queue_due(now):
        outcome = deliver_email(email_id, now=now, connection=connection).outcome
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
