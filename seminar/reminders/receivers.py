"""The reminders' answers to domain events (connected in `SeminarConfig.ready()`)."""

from __future__ import annotations

from seminar.lib.queue import enqueue
from seminar.reminders.tasks import send_assignment_email


def send_assignment_email_on_change(sender, *, change_id: int, **kwargs) -> None:
    """Have the worker send the assignment email once the change has committed.

    With the broker down nothing is lost: the change keeps `notified_at` empty and
    `seminar.send_pending_assignment_emails` (beat) mails it once the broker is back.
    """
    enqueue(send_assignment_email, change_id)
