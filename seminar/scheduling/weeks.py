"""Weeks: created one by one or in bulk, numbered within their term, each with a deadline."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from seminar.materials.services import check_link
from seminar.meetings import (
    DEFAULT_DEADLINE,
    MEETING_TIME,
    DeadlineRule,
    group_zone,
    local_date,
    session_dates,
)
from seminar.models import (
    IncomingChange,
    Term,
    User,
    Week,
)
from seminar.permissions import is_organizer

MAX_WEEKS_AT_ONCE = 52


def _create_weeks(
    *,
    term: Term,
    starts: Sequence[datetime],
    rule: DeadlineRule,
    place: str,
    online_url: str,
) -> list[Week]:
    if not starts:
        raise ValidationError(_("No week to create."), code="empty")
    if len(starts) > MAX_WEEKS_AT_ONCE:
        raise ValidationError(
            _("At most %(count)d weeks can be created at once.") % {"count": MAX_WEEKS_AT_ONCE},
            code="too_many",
        )
    # The term's row is the lock that keeps two organizers from taking the same numbers.
    term = Term.objects.select_for_update().get(pk=term.pk)
    if term.closed_at is not None:
        raise ValidationError(
            _("%(term)s is closed; reopen it to add weeks.") % {"term": term.name},
            code="term_closed",
        )
    starts = sorted(starts)
    days = [local_date(start) for start in starts]
    outside = [
        d for d in days if d < term.starts_on or (term.ends_on is not None and d > term.ends_on)
    ]
    if outside:
        raise ValidationError(
            _("%(dates)s is outside the term %(term)s.")
            % {"dates": ", ".join(d.isoformat() for d in outside), "term": term.name},
            code="outside_term",
        )
    if len(set(days)) != len(days):
        raise ValidationError(_("Two weeks on the same day."), code="same_day")
    taken = {local_date(s) for s in term.weeks.values_list("starts_at", flat=True)}
    clashes = sorted(taken.intersection(days))
    if clashes:
        raise ValidationError(
            _("The term already has a week on %(dates)s; skip those dates.")
            % {"dates": ", ".join(d.isoformat() for d in clashes)},
            code="exists",
        )
    number = (term.weeks.aggregate(n=Max("number"))["n"] or 0) + 1
    weeks = []
    for start in starts:
        deadline = rule.deadline_for(start)
        if deadline > start:
            raise ValidationError(
                _("The review deadline must come before the week starts."),
                code="deadline_after_start",
            )
        weeks.append(
            Week.objects.create(
                term=term,
                number=number,
                starts_at=start,
                review_deadline=deadline,
                place=place,
                online_url=online_url,
            )
        )
        number += 1
    return weeks


@transaction.atomic
def create_week(
    *,
    term: Term,
    starts_at: datetime,
    rule: DeadlineRule = DEFAULT_DEADLINE,
    place: str = "",
    online_url: str = "",
) -> Week:
    """One week, numbered after the term's last, its deadline set by `rule`."""
    return _create_weeks(
        term=term, starts=[starts_at], rule=rule, place=place, online_url=online_url
    )[0]


@transaction.atomic
def create_weeks_in_bulk(
    *,
    term: Term,
    first_date: date,
    at: time,
    count: int,
    skip_dates: Iterable[date] = (),
    rule: DeadlineRule = DEFAULT_DEADLINE,
    place: str = "",
    online_url: str = "",
) -> list[Week]:
    """`count` weeks, one every 7 days from `first_date` at `at` (the group's zone), passing
    over `skip_dates`; numbered on from the term's last week. All or nothing: a date outside
    the term or already taken refuses the whole run."""
    zone = group_zone()
    if count < 1:
        raise ValidationError(_("Create at least one week."), code="empty")
    dates = session_dates(first=first_date, count=count, skip=skip_dates)
    starts = [datetime.combine(day, at, tzinfo=zone) for day in dates]
    return _create_weeks(term=term, starts=starts, rule=rule, place=place, online_url=online_url)


@transaction.atomic
def create_weeks_on_dates(
    *,
    term: Term,
    dates: Iterable[date],
    at: time,
    rule: DeadlineRule = DEFAULT_DEADLINE,
    place: str = "",
    online_url: str = "",
) -> list[Week]:
    """One week on each of `dates` at `at` (the group's zone), numbered on from the term's
    last week; all or nothing, like `create_weeks_in_bulk`."""
    zone = group_zone()
    starts = [datetime.combine(day, at, tzinfo=zone) for day in dates]
    return _create_weeks(term=term, starts=starts, rule=rule, place=place, online_url=online_url)


def next_week_defaults(today: date | None = None) -> dict[str, object]:
    """What the create-weeks form starts with: a week after the last one, at its time."""
    today = today or timezone.localdate()
    last = Week.objects.order_by("-starts_at").only("starts_at", "review_deadline", "place").first()
    if last is None or local_date(last.starts_at) < today:
        return {"first_date": today + timedelta(days=7), "time": MEETING_TIME}
    local = timezone.localtime(last.starts_at, group_zone())
    deadline = timezone.localtime(last.review_deadline, group_zone())
    return {
        "first_date": local.date() + timedelta(days=7),
        "time": local.time().replace(second=0, microsecond=0),
        "deadline_days_before": max((local.date() - deadline.date()).days, 0),
        "deadline_time": deadline.time().replace(second=0, microsecond=0),
        "place": last.place,
    }


# --- editing one week, removing an empty one (#13) --------------------------------------------
#
# Order: a week keeps its number. Its new day must fall after the term's week before it and
# before the week after it (never on the same day as another week of its term), and inside the
# term's first and last day. Renumbering was the other choice, but week numbers are in the
# group's published pages (the repository's paths), links and emails people already have; to
# change the order, topics move between weeks instead (the board's "Move to").
#
# Reviews already submitted keep their "late" mark as it was when they were submitted.

NOTES_MAX_CHARS = 5000
PLACE_MAX_CHARS = Week._meta.get_field("place").max_length


@dataclass(frozen=True)
class WeekUpdate:
    """What `update_week` saved: the week, and which of its fields changed."""

    week: Week
    changed: list[str]

    @property
    def moved(self) -> bool:
        """The meeting moved (calendars and reminders follow: they read the week)."""
        return "starts_at" in self.changed


def _one_line(text: str) -> str:
    """A place as one line: whitespace runs (newlines too) become one space, no control
    characters (a NUL would not even reach PostgreSQL)."""
    text = "".join(char for char in text if unicodedata.category(char) != "Cc" or char.isspace())
    return " ".join(text.split())


def _check_order(*, week: Week, term: Term, day: date) -> None:
    """`day` inside the term and between the week's neighbours (see the note above)."""
    if day < term.starts_on or (term.ends_on is not None and day > term.ends_on):
        raise ValidationError(
            _("%(dates)s is outside the term %(term)s.")
            % {"dates": day.isoformat(), "term": term.name},
            code="outside_term",
        )
    others = [
        (other.number, local_date(other.starts_at))
        for other in term.weeks.exclude(pk=week.pk).only("number", "starts_at")
    ]
    for number, other_day in sorted(others):
        if other_day == day:
            raise ValidationError(
                _("Week %(number)d of %(term)s is already on %(date)s.")
                % {"number": number, "term": term.name, "date": day.isoformat()},
                code="same_day",
            )
    earlier = [(d, n) for n, d in others if n < week.number and d >= day]
    if earlier:
        other_day, number = max(earlier)
        raise ValidationError(
            _(
                "Week %(number)d must come after week %(other)d (%(date)s): weeks stay "
                "numbered in date order. To change the order, move topics between weeks instead."
            )
            % {"number": week.number, "other": number, "date": other_day.isoformat()},
            code="order",
        )
    later = [(d, n) for n, d in others if n > week.number and d <= day]
    if later:
        other_day, number = min(later)
        raise ValidationError(
            _(
                "Week %(number)d must come before week %(other)d (%(date)s): weeks stay "
                "numbered in date order. To change the order, move topics between weeks instead."
            )
            % {"number": week.number, "other": number, "date": other_day.isoformat()},
            code="order",
        )


@transaction.atomic
def update_week(
    *,
    week: Week,
    actor: User,
    starts_at: datetime,
    place: str,
    online_url: str,
    review_deadline: datetime | None,
    late_policy: str,
    notes: str,
) -> WeekUpdate:
    """Change one week: its date and time, place, online link, review deadline (None: by
    its term's rule, `Term.deadline_rule`), late policy and notes. Organizers only.

    Refused, with nothing written: a day outside 1970–2999 or outside the term, a day that
    would change the week's place in its term's order (or fall on another week's day), a
    deadline after the meeting. Calendars, reminders and the group's page follow from the
    saved week (they read it; the page through the week's post_save receiver)."""
    if not is_organizer(actor):
        raise PermissionDenied
    if timezone.is_naive(starts_at) or (
        review_deadline is not None and timezone.is_naive(review_deadline)
    ):
        raise ValueError("update_week takes aware datetimes")
    from seminar.scheduling.terms import day_problem  # terms imports this module

    day = local_date(starts_at)
    if (problem := day_problem(day)) is not None:
        raise problem
    if late_policy not in Week.LatePolicy.values:
        raise ValidationError(_("Choose what happens to late reviews."), code="late_policy")
    place = _one_line(place)
    if len(place) > PLACE_MAX_CHARS:
        raise ValidationError(
            _("A place has at most %(count)d characters.") % {"count": PLACE_MAX_CHARS},
            code="place_too_long",
        )
    online_url = check_link(online_url, field="online_url")
    notes = notes.replace("\x00", "").strip()
    if len(notes) > NOTES_MAX_CHARS:
        raise ValidationError(
            _("Notes have at most %(count)d characters.") % {"count": NOTES_MAX_CHARS},
            code="notes_too_long",
        )
    # The term's row first, as creating weeks takes it: two organizers never race on dates.
    term = Term.objects.select_for_update().get(pk=week.term_id)
    locked = Week.objects.select_for_update().get(pk=week.pk)
    _check_order(week=locked, term=term, day=day)
    if review_deadline is None:
        review_deadline = term.deadline_rule.deadline_for(starts_at)
    if (problem := day_problem(local_date(review_deadline))) is not None:
        raise problem
    if review_deadline > starts_at:
        raise ValidationError(
            _("The review deadline must come before the week starts."),
            code="deadline_after_start",
        )
    values = {
        "starts_at": starts_at,
        "place": place,
        "online_url": online_url,
        "review_deadline": review_deadline,
        "late_policy": late_policy,
        "notes": notes,
    }
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if changed:
        for name in changed:
            setattr(locked, name, values[name])
        # One save: the group's page follows (the week's post_save receiver).
        locked.save(update_fields=changed)
    return WeekUpdate(week=locked, changed=changed)


@transaction.atomic
def remove_week(*, week: Week, actor: User) -> Term:
    """Delete a week that has no topics (organizers only); its term is returned. Refused
    while it has topics (move or remove them first) or an edit made in the group's repository
    still waits to be reviewed. The other weeks keep their numbers; a later week created in
    the term takes the next number after the last."""
    if not is_organizer(actor):
        raise PermissionDenied
    Term.objects.select_for_update().get(pk=week.term_id)
    locked = Week.objects.select_for_update().filter(pk=week.pk).first()
    if locked is None:
        raise ValidationError(_("This week was already removed."), code="gone")
    if locked.topics.exists():
        raise ValidationError(
            _("Week %(number)d has topics; move or remove its topics first.")
            % {"number": locked.number},
            code="has_topics",
        )
    if IncomingChange.objects.filter(week=locked, status=IncomingChange.Status.OPEN).exists():
        raise ValidationError(
            _(
                "Week %(number)d has an edit from the group's repository waiting to be "
                "reviewed; import or dismiss it first."
            )
            % {"number": locked.number},
            code="incoming_change",
        )
    term = locked.term
    locked.delete()
    return term
