"""What the reminders will do for each coming week, as organizers see it on `/reminders/`.

For every coming week: each email the planning rules (`planning`, `timing`) will send, to
whom and when, with the ones that wait (quiet hours in the recipient's zone: "held until
08:00") or will not go (opted out) and why; and what the log (`SentReminder`) already holds
for the week (sent, queued, held, failing). A read: it writes nothing.

The moments are the planning rules run forward: a stage "N days before" falls due at the
anchor minus N days and leaves with the first due-reminders run after it (every 15 minutes),
or at the end of quiet hours; only the nearest stage is sent to someone who comes late.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from seminar.models import (
    ReminderPolicy,
    ReviewerSlot,
    SentReminder,
    Topic,
    User,
    Week,
    parse_day_offsets,
)
from seminar.reminders.planning import (
    PREFERENCE_OF_KIND,
    WEEKLY_HORIZON,
    Kind,
    stage_key,
    wants,
    week_key,
)
from seminar.reminders.timing import OVERDUE_WINDOW, release_time, zone_of

Status = SentReminder.Status

# Weeks shown: those starting within this long, at most `MAX_WEEKS` of them.
OUTLOOK_HORIZON = timedelta(days=28)
MAX_WEEKS = 6
WEEKLY_TASK = "seminar.send_weekly_reminders"


class State:
    PLANNED = "planned"  # will leave at `sends_at`
    HELD = "held"  # falls in quiet hours: leaves at `sends_at`
    DUE = "due"  # due now: the next run (within 15 minutes) sends it
    OPTED_OUT = "opted_out"  # the member switched these emails off
    LOGGED = "logged"  # in the log: see `logged.status`


@dataclass(frozen=True)
class PlannedEmail:
    kind: str
    recipient: User
    key: str
    state: str
    reason: str
    planned_at: datetime | None = None  # when the stage falls due
    sends_at: datetime | None = None  # when it leaves (quiet hours moved), if it will
    logged: SentReminder | None = None

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def previewable(self) -> bool:
        return self.state != State.OPTED_OUT


@dataclass
class WeekOutlook:
    week: Week
    emails: list[PlannedEmail] = field(default_factory=list)
    pending_reviewers: list[User] = field(default_factory=list)
    # Whether reviews can still come in (a week that refuses late ones closes at its deadline).
    accepts_reviews: bool = True

    @property
    def can_remind_now(self) -> bool:
        return bool(self.pending_reviewers) and self.accepts_reviews


def next_weekly_run(now: datetime) -> datetime | None:
    """When beat next runs the weekly reminders, if its schedule is a plain weekly crontab
    (minute, hour and weekday numbers); None otherwise (shown as "with the weekly run")."""
    from django_celery_beat.models import PeriodicTask

    task = (
        PeriodicTask.objects.filter(task=WEEKLY_TASK, enabled=True)
        .select_related("crontab")
        .first()
    )
    crontab = task.crontab if task is not None else None
    if crontab is None:
        return None
    fields = (crontab.minute, crontab.hour, crontab.day_of_week)
    if not all(f.isdigit() for f in fields) or (crontab.day_of_month, crontab.month_of_year) != (
        "*",
        "*",
    ):
        return None
    zone = crontab.timezone
    if not isinstance(zone, tzinfo):
        zone = ZoneInfo(str(zone))
    local = now.astimezone(zone)
    weekday = (int(crontab.day_of_week) - 1) % 7  # cron: 0 or 7 is Sunday; Python: Monday 0
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    run = datetime.combine(day, time(int(crontab.hour), int(crontab.minute)), tzinfo=zone)
    return run if run > now else run + timedelta(days=7)


def _quiet_reason(policy: ReminderPolicy, user: User, sends_at: datetime) -> str:
    zone = zone_of(user)
    return _("Falls in quiet hours (%(start)s–%(end)s in %(zone)s): held until %(when)s.") % {
        "start": policy.quiet_hours_start.strftime("%H:%M"),
        "end": policy.quiet_hours_end.strftime("%H:%M"),
        "zone": zone.key,
        "when": sends_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
    }


def _opted_out_reason(kind: str) -> str:
    return {
        "weekly": _("Opted out of weekly reminder emails."),
        "deadlines": _("Opted out of deadline reminder emails."),
        "assignments": _("Opted out of assignment emails."),
    }[PREFERENCE_OF_KIND[kind]]


def _stage_text(kind: str, days: int | None) -> str:
    if kind in (Kind.WEEKLY_REVIEWER, Kind.WEEKLY_PRESENTER):
        return _("With the weekly reminders.")
    if kind == Kind.PRESENTER_DEADLINE:
        return _("%(days)d day(s) before the week.") % {"days": days}
    if kind == Kind.REVIEWER_DEADLINE:
        return _("%(days)d day(s) before the review deadline.") % {"days": days}
    return _("%(days)d day(s) after the missed deadline.") % {"days": days}


def _logged_reason(row: SentReminder, now: datetime) -> str:
    zone = zone_of(row.recipient)
    when = {
        "when": row.send_after.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "zone": zone.key,
    }
    if row.status == Status.SENT:
        return _("Sent.")
    if row.status == Status.QUEUED and row.send_after > now:
        if row.attempts == 0 and row.send_after > row.created_at:
            made = row.created_at.astimezone(zone).strftime("%H:%M")
            return _("Planned at %(made)s, in quiet hours: held until %(when)s (%(zone)s).") % {
                **when,
                "made": made,
            }
        return _("Queued until %(when)s (%(zone)s).") % when
    if row.status == Status.QUEUED:
        return _("Queued: the next run sends it.")
    if row.status == Status.FAILED:
        return _("Sending failed; tried again at %(when)s (%(zone)s).") % when
    if row.status == Status.GAVE_UP:
        return _("Failed permanently; check the member's address.")
    if row.status == Status.CANCELLED:
        return _("Not sent: no longer needed.")
    return _("Being sent.")


class _Builder:
    def __init__(
        self, week: Week, now: datetime, policy: ReminderPolicy, logged: list[SentReminder]
    ) -> None:
        self.week, self.now, self.policy = week, now, policy
        self.emails: list[PlannedEmail] = []
        self.logged = {(row.recipient_id, row.kind, row.key): row for row in logged}
        self.shown: set[tuple[int, str, str]] = set()

    def add(self, *, user: User, kind: str, key: str, moment: datetime, stage: str) -> None:
        ident = (user.pk, kind, key)
        if ident in self.shown:
            return
        self.shown.add(ident)
        row = self.logged.get(ident)
        if row is not None:
            self.emails.append(self._from_log(row))
            return
        if not wants(user, kind):
            self.emails.append(
                PlannedEmail(kind, user, key, State.OPTED_OUT, _opted_out_reason(kind), moment)
            )
            return
        start = max(moment, self.now)
        sends_at = release_time(start, zone_of(user), self.policy)
        if sends_at > start:
            state, reason = State.HELD, f"{stage} {_quiet_reason(self.policy, user, sends_at)}"
        elif moment <= self.now:
            state, reason = State.DUE, f"{stage} {_('Due now: the next run sends it.')}"
        else:
            state, reason = State.PLANNED, stage
        self.emails.append(PlannedEmail(kind, user, key, state, reason, moment, sends_at))

    def _from_log(self, row: SentReminder) -> PlannedEmail:
        self.shown.add((row.recipient_id, row.kind, row.key))
        when = row.sent_at if row.status == Status.SENT else row.send_after
        return PlannedEmail(
            row.kind,
            row.recipient,
            row.key,
            State.LOGGED,
            _logged_reason(row, self.now),
            row.created_at,
            when,
            row,
        )

    def stages(self, *, anchor: datetime, offsets, sign: int) -> list[tuple[int, datetime]]:
        """The (days, moment) stages still to come or due now for `anchor` (see the module
        docstring): future ones, and the nearest passed one while it is still news."""
        out = []
        passed = []
        for days in offsets:
            moment = anchor + sign * timedelta(days=days)
            if moment > self.now:
                out.append((days, moment))
            else:
                passed.append((days, moment))
        if passed:
            current = min(passed, key=lambda p: abs((self.now - p[1]).total_seconds()))
            still_news = self.now < anchor if sign < 0 else self.now < current[1] + OVERDUE_WINDOW
            if still_news:
                out.append(current)
        return sorted(out, key=lambda p: p[1])

    def finish(self) -> list[PlannedEmail]:
        for row in self.logged.values():
            if (row.recipient_id, row.kind, row.key) not in self.shown:
                self.emails.append(self._from_log(row))
        far = self.now + timedelta(days=3650)
        return sorted(
            self.emails,
            key=lambda e: (e.sends_at or e.planned_at or far, e.recipient.display_name, e.kind),
        )


def week_outlook(
    week: Week,
    now: datetime,
    policy: ReminderPolicy,
    weekly_run: datetime | None,
    logged: list[SentReminder],
) -> WeekOutlook:
    """The emails of `week` (its topics, slots, reviews and people prefetched), with
    `logged`: the week's rows of the reminder log."""
    builder = _Builder(week, now, policy, logged)
    topics = list(week.topics.all())
    presenters = {t.presenter_id: t.presenter for t in topics if t.presenter_id}
    pending: dict[int, User] = {}
    for topic in topics:
        for slot in topic.slots.all():
            review = slot.current_review
            if slot.reviewer_id and not (review is not None and review.is_submitted):
                pending.setdefault(slot.reviewer_id, slot.reviewer)
    presenters = {pk: u for pk, u in presenters.items() if u.is_active}
    pending = {pk: u for pk, u in pending.items() if u.is_active}

    if weekly_run is not None and weekly_run <= week.starts_at < weekly_run + WEEKLY_HORIZON:
        for user in pending.values():
            builder.add(
                user=user,
                kind=Kind.WEEKLY_REVIEWER,
                key=week_key(week),
                moment=weekly_run,
                stage=_stage_text(Kind.WEEKLY_REVIEWER, None),
            )
        for user in presenters.values():
            builder.add(
                user=user,
                kind=Kind.WEEKLY_PRESENTER,
                key=week_key(week),
                moment=weekly_run,
                stage=_stage_text(Kind.WEEKLY_PRESENTER, None),
            )

    plans = [
        (Kind.PRESENTER_DEADLINE, week.starts_at, policy.presenter_days_before, -1, presenters),
        (Kind.REVIEWER_DEADLINE, week.review_deadline, policy.reviewer_days_before, -1, pending),
    ]
    if week.late_policy != Week.LatePolicy.REFUSE:
        plans.append(
            (Kind.REVIEWER_OVERDUE, week.review_deadline, policy.reviewer_days_after, 1, pending)
        )
    for kind, anchor, offsets, sign, people in plans:
        for days, moment in builder.stages(
            anchor=anchor, offsets=parse_day_offsets(offsets), sign=sign
        ):
            for user in people.values():
                builder.add(
                    user=user,
                    kind=kind,
                    key=stage_key(week, days, after=sign > 0),
                    moment=moment,
                    stage=_stage_text(kind, days),
                )
    return WeekOutlook(
        week=week,
        emails=builder.finish(),
        pending_reviewers=sorted(pending.values(), key=lambda u: u.display_name),
        accepts_reviews=accepts_reviews(week, now),
    )


def accepts_reviews(week: Week, now: datetime) -> bool:
    return now < week.review_deadline or week.late_policy != Week.LatePolicy.REFUSE


def coming_weeks_outlook(now: datetime, policy: ReminderPolicy | None = None) -> list[WeekOutlook]:
    """The outlook of each week starting from now within `OUTLOOK_HORIZON` (`MAX_WEEKS` at
    most). A week that has begun drops out; its late reviews' problems show in the log."""
    policy = policy or ReminderPolicy.current()
    slots = ReviewerSlot.objects.select_related("reviewer", "review").order_by("number")
    topics = Topic.objects.select_related("presenter").prefetch_related(
        Prefetch("slots", queryset=slots)
    )
    weeks = list(
        Week.objects.filter(starts_at__gte=now, starts_at__lt=now + OUTLOOK_HORIZON)
        .select_related("term")
        .prefetch_related(Prefetch("topics", queryset=topics.order_by("order")))
        .order_by("starts_at")[:MAX_WEEKS]
    )
    logged: dict[int, list[SentReminder]] = {week.pk: [] for week in weeks}
    for row in SentReminder.objects.filter(week__in=weeks).select_related("recipient"):
        logged[row.week_id].append(row)
    run = next_weekly_run(now)
    return [week_outlook(week, now, policy, run, logged[week.pk]) for week in weeks]
