"""Reminder emails: who is due what at a given moment, and sending each one at most once.

`planning` says who is due which reminder (`Due` items), `delivery` queues them into the
`SentReminder` log and sends each exactly once (its docstring says what a crash costs),
`emails` renders them in the recipient's language and zone, `timing` holds the pure rules
(quiet hours, stages, backoff) and `unsubscribe` the one-click opt-out. The service API is
re-exported here; `tasks` and `views` are the entry points.
"""

from seminar.reminders.delivery import (
    Delivery,
    Outcome,
    Status,
    claim,
    counts_by_status,
    deliver_reminder,
    deliverable_ids,
    delivery_problems,
    pending_assignment_changes,
    preview,
    queue_assignment_notice,
    queue_due_reminders,
    queue_reminders,
    queue_weekly_reminders,
    requeue_interrupted,
    run_reminders,
    sending_stale_after,
)
from seminar.reminders.emails import (
    build_message,
    review_editor_url,
    weekly_summary,
)
from seminar.reminders.planning import (
    PREFERENCES,
    Due,
    Kind,
    assignment_notice,
    due_deadline_reminders,
    due_weekly_reminders,
)
from seminar.reminders.timing import (
    in_quiet_hours,
    language_of,
    release_time,
    stage_after,
    stage_before,
    zone_of,
)
from seminar.reminders.unsubscribe import (
    read_unsubscribe_token,
    unsubscribe,
    unsubscribe_token,
)

__all__ = [
    "PREFERENCES",
    "Delivery",
    "Due",
    "Kind",
    "Outcome",
    "Status",
    "assignment_notice",
    "build_message",
    "claim",
    "counts_by_status",
    "deliver_reminder",
    "deliverable_ids",
    "delivery_problems",
    "due_deadline_reminders",
    "due_weekly_reminders",
    "in_quiet_hours",
    "language_of",
    "pending_assignment_changes",
    "preview",
    "queue_assignment_notice",
    "queue_due_reminders",
    "queue_reminders",
    "queue_weekly_reminders",
    "read_unsubscribe_token",
    "release_time",
    "requeue_interrupted",
    "review_editor_url",
    "run_reminders",
    "sending_stale_after",
    "stage_after",
    "stage_before",
    "unsubscribe",
    "unsubscribe_token",
    "weekly_summary",
    "zone_of",
]
