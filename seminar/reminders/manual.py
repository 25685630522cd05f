""" "Remind now": an organizer's reminder to the reviewers of a week who have not submitted.

Still exactly once per reminder key: the email is planned like any deadline reminder, with
the key `week:<id>:now:<date in the group's zone>`, and queued through the same log
(`SentReminder`, unique per recipient, kind and key) and delivery (one claim per row). So
pressing the button twice, or two organizers pressing it at once, sends each reviewer one
email that day; quiet hours hold it like any other reminder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from seminar.lib.queue import enqueue_on_commit
from seminar.meetings import local_date
from seminar.models import ReminderPolicy, SentReminder, Week
from seminar.reminders.outlook import accepts_reviews
from seminar.reminders.planning import Kind, _members_wanting, _reviewer_dues, pending_slots
from seminar.reminders.tasks import deliver_reminder


@dataclass(frozen=True)
class RemindNow:
    queued: int  # new emails, going now
    held: int  # new emails held for quiet hours
    already: int  # reviewers already reminded this way today
    opted_out: int  # reviewers with work left who switched deadline reminders off


def remind_now_key(week: Week, now: datetime) -> str:
    """The group's day, whoever presses: not the pressing organizer's zone (two organizers
    an ocean apart would otherwise make two keys, and two emails, of one day)."""
    return f"week:{week.pk}:now:{local_date(now).isoformat()}"


def remind_now_kind(week: Week, now: datetime) -> str:
    return Kind.REVIEWER_DEADLINE if now < week.review_deadline else Kind.REVIEWER_OVERDUE


def remind_reviewers_now(*, week: Week, now: datetime) -> RemindNow:
    """Queue today's "remind now" email for each reviewer of `week` whose review is not
    submitted (and who takes deadline reminders), and send the ones not held for quiet
    hours once this commits. Raises `ValidationError` when reviews can no longer come in."""
    if not accepts_reviews(week, now):
        raise ValidationError(
            _("This week refuses late reviews and its deadline has passed."), code="closed"
        )
    policy = ReminderPolicy.current()
    kind = remind_now_kind(week, now)
    key = remind_now_key(week, now)
    slots = pending_slots().filter(topic__week=week).select_related("reviewer", "topic__week")
    reviewers = {s.reviewer_id for s in slots if s.reviewer.is_active}
    wanting = slots.filter(_members_wanting(kind, "reviewer__"))
    dues = _reviewer_dues(wanting, kind, lambda _week: key, now, policy)
    created: list[SentReminder] = []
    with transaction.atomic():
        # One row at a time, so each press knows which emails it added: a row another press
        # is inserting at this moment makes this insert wait, then count as "already".
        for due in dues:
            row = due.as_row()
            reminder, new = SentReminder.objects.get_or_create(
                recipient=row.recipient,
                kind=row.kind,
                key=row.key,
                defaults={
                    "week": row.week,
                    "created_at": row.created_at,
                    "send_after": row.send_after,
                    "address": row.address,
                },
            )
            if new:
                created.append(reminder)
                if reminder.send_after <= now:
                    enqueue_on_commit(deliver_reminder, reminder.pk)
    held = sum(1 for reminder in created if reminder.send_after > now)
    return RemindNow(
        queued=len(created) - held,
        held=held,
        already=len(dues) - len(created),
        opted_out=len(reviewers) - len(dues),
    )
