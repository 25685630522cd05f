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
been sending for longer than any task may live (`sending_stale_after()`: the hard time limit
`CELERY_TASK_TIME_LIMIT` and a minute, after which the task that claimed it is certainly dead),
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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from reviews.models import Review
from seminar.models import (
    AssignmentChange,
    ReminderPolicy,
    ReviewerSlot,
    SentReminder,
    Topic,
    User,
    Week,
    parse_day_offsets,
)
from seminar.permissions import ORGANIZERS_GROUP

logger = logging.getLogger(__name__)

Kind = SentReminder.Kind
Status = SentReminder.Status

# The weekly reminder covers the weeks starting within this long after it runs.
WEEKLY_HORIZON = timedelta(days=7)
# An after-deadline reminder is news for a day; after that (e.g. the worker was down) it is
# dropped rather than sent stale.
OVERDUE_WINDOW = timedelta(days=1)
# Retry backoff: 5, 10, 20, 40 minutes ... at most 6 hours.
RETRY_BASE = timedelta(minutes=5)
RETRY_CAP = timedelta(hours=6)
# Assignment changes whose email was never queued (the broker was down when they committed)
# are mailed by `send_pending_assignment_emails` once this old (the task sent on commit goes
# first) and until this old (after that, the news is stale).
ASSIGNMENT_SWEEP_AFTER = timedelta(minutes=1)
ASSIGNMENT_SWEEP_WITHIN = timedelta(days=2)

# Which member setting switches each kind off; the unsubscribe link names the setting.
PREFERENCES = {
    "weekly": "email_weekly",
    "deadlines": "email_deadlines",
    "assignments": "email_assignments",
}
PREFERENCE_OF_KIND = {
    Kind.WEEKLY_REVIEWER: "weekly",
    Kind.WEEKLY_PRESENTER: "weekly",
    Kind.WEEKLY_SUMMARY: "weekly",
    Kind.PRESENTER_DEADLINE: "deadlines",
    Kind.REVIEWER_DEADLINE: "deadlines",
    Kind.REVIEWER_OVERDUE: "deadlines",
    Kind.ASSIGNMENT: "assignments",
}
REVIEWER_KINDS = {Kind.WEEKLY_REVIEWER, Kind.REVIEWER_DEADLINE, Kind.REVIEWER_OVERDUE}
PRESENTER_KINDS = {Kind.WEEKLY_PRESENTER, Kind.PRESENTER_DEADLINE}
EMAIL_LANGUAGES = ("ko", "en")


@dataclass(frozen=True)
class Due:
    """One email somebody should get: not yet in the log."""

    recipient: User
    kind: str
    key: str
    week: Week | None
    planned_at: datetime
    send_after: datetime

    def as_row(self) -> SentReminder:
        return SentReminder(
            recipient=self.recipient,
            kind=self.kind,
            key=self.key,
            week=self.week,
            created_at=self.planned_at,
            send_after=self.send_after,
            address=self.recipient.email,
        )


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


# --- time ------------------------------------------------------------------------------------


def zone_of(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.timezone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def language_of(user: User) -> str:
    return user.language if user.language in EMAIL_LANGUAGES else EMAIL_LANGUAGES[0]


def in_quiet_hours(local: time, start: time, end: time) -> bool:
    """Whether a wall-clock time falls in [start, end), which may wrap past midnight."""
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def release_time(now: datetime, zone: ZoneInfo, policy: ReminderPolicy) -> datetime:
    """`now` outside quiet hours in `zone`, else the moment they end there."""
    local = now.astimezone(zone)
    start, end = policy.quiet_hours_start, policy.quiet_hours_end
    if not in_quiet_hours(local.time(), start, end):
        return now
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone)


def stage_before(anchor: datetime, offsets: Sequence[int], now: datetime) -> int | None:
    """The reminder of `offsets` (days before `anchor`) to send at `now`, if any.

    The latest one whose moment has passed: someone assigned late gets the nearest reminder
    only, never a burst of the earlier ones. Nothing once `anchor` has passed.
    """
    if now >= anchor:
        return None
    passed = [d for d in offsets if anchor - timedelta(days=d) <= now]
    return min(passed) if passed else None


def stage_after(anchor: datetime, offsets: Sequence[int], now: datetime) -> int | None:
    """Like `stage_before` for days after `anchor`, each one news for `OVERDUE_WINDOW`."""
    passed = [d for d in offsets if anchor + timedelta(days=d) <= now]
    if not passed:
        return None
    latest = max(passed)
    if now >= anchor + timedelta(days=latest) + OVERDUE_WINDOW:
        return None
    return latest


def retry_delay(attempts: int) -> timedelta:
    return min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_CAP)


# --- who -------------------------------------------------------------------------------------


def wants(user: User, kind: str) -> bool:
    return bool(user.is_active and getattr(user, PREFERENCES[PREFERENCE_OF_KIND[kind]]))


def _members_wanting(kind: str, prefix: str) -> Q:
    field = PREFERENCES[PREFERENCE_OF_KIND[kind]]
    return Q(**{f"{prefix}is_active": True, f"{prefix}{field}": True})


def pending_slots() -> QuerySet[ReviewerSlot]:
    """Slots with a reviewer whose review is not submitted (missing or draft)."""
    return ReviewerSlot.objects.filter(reviewer__isnull=False).exclude(
        review__status=Review.Status.SUBMITTED
    )


def organizers() -> QuerySet[User]:
    return User.objects.filter(
        Q(groups__name=ORGANIZERS_GROUP) | Q(is_superuser=True), is_active=True
    ).distinct()


def _due(
    *,
    recipient: User,
    kind: str,
    key: str,
    week: Week | None,
    now: datetime,
    policy: ReminderPolicy,
) -> Due:
    return Due(
        recipient=recipient,
        kind=kind,
        key=key,
        week=week,
        planned_at=now,
        send_after=release_time(now, zone_of(recipient), policy),
    )


def _unlogged(dues: list[Due]) -> list[Due]:
    """Drop what the log already has (it would be ignored on insert; this keeps dry runs true)."""
    if not dues:
        return []
    logged = set(
        SentReminder.objects.filter(
            kind__in={d.kind for d in dues}, key__in={d.key for d in dues}
        ).values_list("recipient_id", "kind", "key")
    )
    return [d for d in dues if (d.recipient.pk, d.kind, d.key) not in logged]


KeyOf = Callable[[Week], "str | None"]


def _reviewer_dues(
    slots: Iterable[ReviewerSlot], kind: str, key_of: KeyOf, now: datetime, policy: ReminderPolicy
) -> list[Due]:
    """One email per reviewer and week, however many of the week's topics they review."""
    seen: dict[tuple[int, int], Due] = {}
    for slot in slots:
        week = slot.topic.week
        key = key_of(week)
        if key is None or (slot.reviewer_id, week.pk) in seen:
            continue
        seen[(slot.reviewer_id, week.pk)] = _due(
            recipient=slot.reviewer, kind=kind, key=key, week=week, now=now, policy=policy
        )
    return list(seen.values())


def _presenter_dues(
    topics: Iterable[Topic], kind: str, key_of: KeyOf, now: datetime, policy: ReminderPolicy
) -> list[Due]:
    """One email per presenter and week."""
    seen: dict[tuple[int, int], Due] = {}
    for topic in topics:
        key = key_of(topic.week)
        if key is None or (topic.presenter_id, topic.week_id) in seen:
            continue
        seen[(topic.presenter_id, topic.week_id)] = _due(
            recipient=topic.presenter, kind=kind, key=key, week=topic.week, now=now, policy=policy
        )
    return list(seen.values())


def due_deadline_reminders(now: datetime, policy: ReminderPolicy | None = None) -> list[Due]:
    """Presenter and reviewer reminders on the policy's cadence, not yet in the log."""
    policy = policy or ReminderPolicy.current()
    presenter_days = parse_day_offsets(policy.presenter_days_before)
    before_days = parse_day_offsets(policy.reviewer_days_before)
    after_days = parse_day_offsets(policy.reviewer_days_after)
    dues: list[Due] = []

    if presenter_days:
        weeks = Week.objects.filter(
            starts_at__gt=now, starts_at__lte=now + timedelta(days=max(presenter_days))
        )
        topics = Topic.objects.filter(
            _members_wanting(Kind.PRESENTER_DEADLINE, "presenter__"), week__in=weeks
        ).select_related("presenter", "week")

        def presenter_key(week: Week) -> str | None:
            days = stage_before(week.starts_at, presenter_days, now)
            return None if days is None else f"week:{week.pk}:-{days}d"

        dues += _presenter_dues(topics, Kind.PRESENTER_DEADLINE, presenter_key, now, policy)

    slots = pending_slots().select_related("reviewer", "topic__week")
    if before_days:
        weeks = Week.objects.filter(
            review_deadline__gt=now,
            review_deadline__lte=now + timedelta(days=max(before_days)),
        )

        def before_key(week: Week) -> str | None:
            days = stage_before(week.review_deadline, before_days, now)
            return None if days is None else f"week:{week.pk}:-{days}d"

        dues += _reviewer_dues(
            slots.filter(
                _members_wanting(Kind.REVIEWER_DEADLINE, "reviewer__"), topic__week__in=weeks
            ),
            Kind.REVIEWER_DEADLINE,
            before_key,
            now,
            policy,
        )

    if after_days:
        # Overdue reviews may still come in while the week accepts late ones, even after the
        # session itself; a week that refuses them gets no such reminder.
        weeks = Week.objects.filter(
            review_deadline__lte=now - timedelta(days=min(after_days)),
            review_deadline__gt=now - timedelta(days=max(after_days)) - OVERDUE_WINDOW,
        ).exclude(late_policy=Week.LatePolicy.REFUSE)

        def after_key(week: Week) -> str | None:
            days = stage_after(week.review_deadline, after_days, now)
            return None if days is None else f"week:{week.pk}:+{days}d"

        dues += _reviewer_dues(
            slots.filter(
                _members_wanting(Kind.REVIEWER_OVERDUE, "reviewer__"), topic__week__in=weeks
            ),
            Kind.REVIEWER_OVERDUE,
            after_key,
            now,
            policy,
        )
    return _unlogged(dues)


def coming_weeks(now: datetime) -> QuerySet[Week]:
    return Week.objects.filter(starts_at__gte=now, starts_at__lt=now + WEEKLY_HORIZON)


def past_weeks(now: datetime) -> QuerySet[Week]:
    return Week.objects.filter(starts_at__lt=now, starts_at__gte=now - WEEKLY_HORIZON)


def summary_key(now: datetime) -> str:
    """One organizers' summary per calendar week of the group (re-runs that week are no-ops)."""
    year, week, _ = timezone.localtime(now).isocalendar()
    return f"summary:{year}-W{week:02d}"


def due_weekly_reminders(now: datetime, policy: ReminderPolicy | None = None) -> list[Due]:
    """The weekly round: reviewers with work left and presenters of the coming week, and a
    summary for organizers; not yet in the log."""
    policy = policy or ReminderPolicy.current()
    weeks = list(coming_weeks(now))

    def week_key(week: Week) -> str:
        return f"week:{week.pk}"

    slots = (
        pending_slots()
        .filter(_members_wanting(Kind.WEEKLY_REVIEWER, "reviewer__"), topic__week__in=weeks)
        .select_related("reviewer", "topic__week")
    )
    topics = Topic.objects.filter(
        _members_wanting(Kind.WEEKLY_PRESENTER, "presenter__"), week__in=weeks
    ).select_related("presenter", "week")
    dues = _reviewer_dues(slots, Kind.WEEKLY_REVIEWER, week_key, now, policy)
    dues += _presenter_dues(topics, Kind.WEEKLY_PRESENTER, week_key, now, policy)

    if weeks or past_weeks(now).exists():
        key = summary_key(now)
        for organizer in organizers().filter(email_weekly=True):
            dues.append(
                _due(
                    recipient=organizer,
                    kind=Kind.WEEKLY_SUMMARY,
                    key=key,
                    week=weeks[0] if weeks else None,
                    now=now,
                    policy=policy,
                )
            )
    return _unlogged(dues)


def assignment_notice(
    change: AssignmentChange, now: datetime, policy: ReminderPolicy | None = None
) -> Due | None:
    """The email telling a member that someone gave them or took away a role.

    Not sent when they opted out, when they did it themselves (claiming or releasing a slot:
    the page has just told them), or for a week that has already taken place (archive edits).
    Like reminders it waits out quiet hours: being put on a topic at midnight is news that can
    wait for the morning, and a change undone overnight is not mailed at all.
    """
    if not wants(change.member, Kind.ASSIGNMENT):
        return None
    if change.actor_id == change.member_id or change.topic.week.starts_at <= now:
        return None
    return _due(
        recipient=change.member,
        kind=Kind.ASSIGNMENT,
        key=f"change:{change.pk}",
        week=change.topic.week,
        now=now,
        policy=policy or ReminderPolicy.current(),
    )


# --- queue -----------------------------------------------------------------------------------


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
    """How long a row may stay "sending" before its sender counts as dead: the worker's hard
    time limit (a task is killed then at the latest) and a minute."""
    limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", None) or 600
    return timedelta(seconds=limit + 60)


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
        .exclude(actor_id=F("member_id"))
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


# --- deliver ---------------------------------------------------------------------------------


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


# --- the emails ------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path


def review_editor_url(slot: ReviewerSlot) -> str:
    """The reviewer's editor for this slot; the week page until the editor exists."""
    try:
        path = reverse("review_edit", args=[slot.pk])
    except NoReverseMatch:
        path = reverse("week_detail", args=[slot.topic.week_id])
    return absolute_url(path)


UNSUBSCRIBE_SALT = "seminar.reminders.unsubscribe"


def unsubscribe_token(user: User, preference: str) -> str:
    return signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).sign_object(
        {"u": user.pk, "p": preference}
    )


def read_unsubscribe_token(token: str) -> tuple[User, str] | None:
    """The member and setting a link names, or None if it was altered, is too old or is gone."""
    max_age = getattr(settings, "SEMINAR_UNSUBSCRIBE_MAX_AGE", timedelta(days=365))
    try:
        data = signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).unsign_object(token, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("p") not in PREFERENCES:
        return None
    user = User.objects.filter(pk=data.get("u")).first()
    return (user, data["p"]) if user is not None else None


def unsubscribe(*, user: User, preference: str) -> None:
    field = PREFERENCES[preference]
    if getattr(user, field):
        setattr(user, field, False)
        user.save(update_fields=[field])


def unsubscribe_url(user: User, preference: str) -> str:
    return absolute_url(reverse("unsubscribe", args=[unsubscribe_token(user, preference)]))


def build_message(
    reminder: SentReminder, now: datetime, *, connection=None
) -> EmailMultiAlternatives | None:
    """The email for a logged reminder, from the data as it is now; None if it is no longer
    wanted (opted out, submitted, unassigned, the week has begun ...)."""
    user = reminder.recipient
    if not wants(user, reminder.kind) or not user.email:
        return None
    if reminder.kind in REVIEWER_KINDS:
        template, context = _reviewer_email(reminder, now)
    elif reminder.kind in PRESENTER_KINDS:
        template, context = _presenter_email(reminder, now)
    elif reminder.kind == Kind.WEEKLY_SUMMARY:
        template, context = _summary_email(reminder, now)
    else:
        template, context = _assignment_email(reminder)
    if template is None:
        return None
    preference = PREFERENCE_OF_KIND[reminder.kind]
    link = unsubscribe_url(user, preference)
    context |= {
        "recipient": user,
        "kind": reminder.kind,
        "preference": preference,
        "unsubscribe_url": link,
        "settings_url": absolute_url(reverse("profile")),
        "site_url": absolute_url("/"),
    }
    subject, text, html = render_email(template, context, user)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "X-Seminar-Reminder": f"{reminder.kind} {reminder.key}",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def render_email(template: str, context: dict, user: User) -> tuple[str, str, str]:
    """Subject, text and HTML from `emails/<template>.<lang>.*`, in the recipient's language
    and time zone (dates in the templates are shown in that zone)."""
    language = language_of(user)
    zone = zone_of(user)
    with translation.override(language), timezone.override(zone):
        context = context | {"zone": zone.key, "language": language}
        base = f"emails/{template}.{language}"
        subject = render_to_string(f"{base}.subject.txt", context)
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    return " ".join(subject.split()), text, html


def _reviewer_email(reminder: SentReminder, now: datetime) -> tuple[str | None, dict]:
    week = reminder.week
    if week is None:
        return None, {}
    if reminder.kind == Kind.WEEKLY_REVIEWER and week.starts_at <= now:
        return None, {}
    if reminder.kind == Kind.REVIEWER_DEADLINE and week.review_deadline <= now:
        return None, {}  # the after-deadline reminder takes over
    if reminder.kind == Kind.REVIEWER_OVERDUE and week.late_policy == Week.LatePolicy.REFUSE:
        return None, {}  # nothing can be submitted any more
    slots = list(
        pending_slots()
        .filter(reviewer=reminder.recipient, topic__week=week)
        .select_related("topic__presenter", "topic__week")
        .order_by("topic__order")
    )
    if not slots:
        return None, {}
    stage = {
        Kind.WEEKLY_REVIEWER: "weekly",
        Kind.REVIEWER_DEADLINE: "before",
        Kind.REVIEWER_OVERDUE: "overdue",
    }[reminder.kind]
    items = [{"slot": s, "topic": s.topic, "editor_url": review_editor_url(s)} for s in slots]
    return "reminder_review", {
        "stage": stage,
        "week": week,
        "items": items,
        "deadline": week.review_deadline,
        "deadline_passed": week.review_deadline <= now,
        "week_url": absolute_url(week.get_absolute_url()),
    }


def _presenter_email(reminder: SentReminder, now: datetime) -> tuple[str | None, dict]:
    week = reminder.week
    if week is None or week.starts_at <= now:
        return None, {}
    topics = list(
        Topic.objects.filter(week=week, presenter=reminder.recipient)
        .prefetch_related(
            Prefetch("slots", queryset=ReviewerSlot.objects.select_related("reviewer"))
        )
        .order_by("order")
    )
    if not topics:
        return None, {}
    return "reminder_presenter", {
        "stage": "weekly" if reminder.kind == Kind.WEEKLY_PRESENTER else "before",
        "week": week,
        "topics": topics,
        "week_url": absolute_url(week.get_absolute_url()),
    }


def weekly_summary(now: datetime) -> dict:
    """What organizers need to act on: gaps in the coming weeks, late reviews of the past one."""
    topics = Topic.objects.select_related("presenter").prefetch_related(
        Prefetch("slots", queryset=ReviewerSlot.objects.select_related("reviewer", "review"))
    )
    coming = []
    for week in coming_weeks(now).prefetch_related(Prefetch("topics", queryset=topics)):
        rows = [
            {
                "topic": t,
                "open_slots": sum(1 for s in t.slots.all() if s.reviewer_id is None),
                "no_presenter": t.presenter_id is None,
            }
            for t in week.topics.all()
        ]
        coming.append(
            {
                "week": week,
                "url": absolute_url(week.get_absolute_url()),
                "gaps": [r for r in rows if r["open_slots"] or r["no_presenter"]],
            }
        )
    late = []
    for slot in (
        ReviewerSlot.objects.filter(topic__week__in=past_weeks(now), reviewer__isnull=False)
        .select_related("reviewer", "review", "topic__week")
        .order_by("topic__week__starts_at", "topic__order", "number")
    ):
        review = getattr(slot, "review", None) if hasattr(slot, "review") else None
        if review is None or not review.is_submitted:
            late.append({"slot": slot, "topic": slot.topic, "missing": True})
        elif review.is_late:
            late.append({"slot": slot, "topic": slot.topic, "missing": False})
    return {"coming": coming, "late": late}


def _summary_email(reminder: SentReminder, now: datetime) -> tuple[str | None, dict]:
    if not organizers().filter(pk=reminder.recipient.pk).exists():
        return None, {}
    # As of the weekly run, not of a delivery held for the night.
    return "reminder_summary", weekly_summary(reminder.created_at) | {
        "status_url": absolute_url(reverse("reminder_status"))
    }


def _change_id(reminder: SentReminder) -> int:
    return int(reminder.key.removeprefix("change:"))


def _assignment_email(reminder: SentReminder) -> tuple[str | None, dict]:
    change = (
        AssignmentChange.objects.select_related("topic__week", "actor")
        .filter(pk=_change_id(reminder))
        .first()
    )
    if change is None:
        return None, {}
    # A later change to the same role says where things stand; this one is old news.
    if AssignmentChange.objects.filter(
        topic_id=change.topic_id, member_id=change.member_id, role=change.role, pk__gt=change.pk
    ).exists():
        return None, {}
    week = change.topic.week
    link = absolute_url(week.get_absolute_url())
    if change.assigned and change.role == AssignmentChange.Role.REVIEWER:
        slot = change.topic.slots.filter(reviewer_id=change.member_id).first()
        if slot is not None:
            link = review_editor_url(slot)
    return "assignment", {
        "change": change,
        "topic": change.topic,
        "week": week,
        "is_reviewer": change.role == AssignmentChange.Role.REVIEWER,
        "link": link,
    }


# --- organizers' view ------------------------------------------------------------------------


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
