"""Who is due which reminder at a given moment: `Due` items, not yet in the log."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

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
from seminar.reminders.timing import (
    OVERDUE_WINDOW,
    release_time,
    stage_after,
    stage_before,
    zone_of,
)

Kind = SentReminder.Kind


# The weekly reminder covers the weeks starting within this long after it runs.
WEEKLY_HORIZON = timedelta(days=7)


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


def week_key(week: Week) -> str:
    """The key of a week's weekly reminders."""
    return f"week:{week.pk}"


def stage_key(week: Week, days: int, *, after: bool = False) -> str:
    """The key of a deadline reminder `days` before (or after) its anchor: one per stage."""
    return f"week:{week.pk}:{'+' if after else '-'}{days}d"


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
            return None if days is None else stage_key(week, days)

        dues += _presenter_dues(topics, Kind.PRESENTER_DEADLINE, presenter_key, now, policy)

    slots = pending_slots().select_related("reviewer", "topic__week")
    if before_days:
        weeks = Week.objects.filter(
            review_deadline__gt=now,
            review_deadline__lte=now + timedelta(days=max(before_days)),
        )

        def before_key(week: Week) -> str | None:
            days = stage_before(week.review_deadline, before_days, now)
            return None if days is None else stage_key(week, days)

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
            return None if days is None else stage_key(week, days, after=True)

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
    # A swap (#13) is mailed to both sides, the taker too: it is their record of the deal.
    swap = change.reason == AssignmentChange.Reason.SWAP
    own_doing = change.actor_id == change.member_id and not swap
    if own_doing or change.topic.week.starts_at <= now:
        return None
    return _due(
        recipient=change.member,
        kind=Kind.ASSIGNMENT,
        key=f"change:{change.pk}",
        week=change.topic.week,
        now=now,
        policy=policy or ReminderPolicy.current(),
    )
