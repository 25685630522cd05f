"""Reminder tasks: thin wrappers around `seminar.reminders`, named, taking primitive ids.

Each imports the service inside its body (services may import tasks at the top, never the
other way round).

Beat runs `send_weekly_reminders` (Mondays 09:00), `send_due_reminders` (every 15 minutes) and
`send_pending_assignment_emails` (every 5 minutes). The first two queue what is due and fan the
ready rows out to `deliver_reminder`, one task per email, so a failing address is retried on
its own without holding back the others. Every fan-out goes through `seminar.lib.queue.enqueue`: a
row the broker did not take stays queued in the database and the next run sends it.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from seminar.lib.queue import enqueue


@shared_task(name="seminar.send_due_reminders")
def send_due_reminders() -> None:
    from seminar import reminders

    # Also puts rows whose worker died mid-send back in the queue (`requeue_interrupted`).
    for reminder_id in reminders.queue_due_reminders(timezone.now()):
        enqueue(deliver_reminder, reminder_id)


@shared_task(name="seminar.send_weekly_reminders")
def send_weekly_reminders() -> None:
    from seminar import reminders

    for reminder_id in reminders.queue_weekly_reminders(timezone.now()):
        enqueue(deliver_reminder, reminder_id)


@shared_task(bind=True, name="seminar.deliver_reminder", max_retries=None)
def deliver_reminder(self, reminder_id: int) -> None:
    from seminar import reminders

    # The log row decides whether and when to retry (attempts, backoff, giving up); a retry
    # that arrives early or twice finds nothing to claim and returns. Should a retry message
    # be lost, the next `send_due_reminders` picks the row up again, which is also how retries
    # happen when tasks run in-process (no broker): an eager retry would re-run at once and
    # raise into the loop that is sending everyone else's.
    result = reminders.deliver_reminder(reminder_id)
    if result.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=result.retry_in)


@shared_task(name="seminar.send_assignment_email")
def send_assignment_email(change_id: int) -> None:
    """Called after an assignment change commits (`services.record_assignment_change`)."""
    from seminar import reminders

    reminder_id = reminders.queue_assignment_notice(change_id=change_id, now=timezone.now())
    if reminder_id is not None:
        enqueue(deliver_reminder, reminder_id)


@shared_task(name="seminar.send_pending_assignment_emails")
def send_pending_assignment_emails() -> None:
    """Beat: mail the assignment changes whose `send_assignment_email` never reached the
    worker (the broker was down when they committed)."""
    from seminar import reminders

    for change_id in reminders.pending_assignment_changes(timezone.now()):
        send_assignment_email(change_id)
