"""Terms: created with their weeks in one step, edited (name, dates, defaults), closed and
reopened from the board.

A term carries the defaults its weeks are made with (meeting day and time, place, online link,
review deadline rule). A closed term leaves the schedule board's default view and the
create-weeks form; the weeks archive keeps showing it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from seminar.meetings import (
    DEFAULT_DEADLINE,
    MEETING_TIME,
    DeadlineRule,
    group_zone,
    local_date,
)
from seminar.models import Term, Week
from seminar.scheduling.weeks import MAX_WEEKS_AT_ONCE, create_weeks_on_dates

NAME_MAX_LENGTH = Term._meta.get_field("name").max_length
MAX_DEADLINE_DAYS_BEFORE = 14
# From the first day to the last: two years at most (a typo'd year is refused, not listed).
MAX_TERM_DAYS = 731
# The days a term or a week may fall on. Far from `date.min`/`date.max`, so a week, its
# deadline and the next week's defaults can always be counted (9999-12-31 + 7 days overflows).
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def day_problem(day: date | None) -> ValidationError | None:
    """Why `day` cannot be a term's or a week's day (outside EARLIEST_DAY..LATEST_DAY)."""
    if day is None or EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return ValidationError(
        _("Enter a date between %(first)d and %(last)d.")
        % {"first": EARLIEST_DAY.year, "last": LATEST_DAY.year},
        code="date_range",
    )


@dataclass(frozen=True)
class NewTerm:
    term: Term
    weeks: list[Week]


def meeting_dates(*, starts_on: date, ends_on: date, weekday: int) -> list[date]:
    """Every `weekday` (Monday is 0) from `starts_on` to `ends_on`, both included (no further
    than MAX_TERM_DAYS from the first day)."""
    if ends_on < starts_on:
        return []
    # Bounded work, and no step past the last date the calendar has.
    ends_on = min(ends_on, starts_on + min(timedelta(days=MAX_TERM_DAYS), date.max - starts_on))
    offset = timedelta(days=(weekday - starts_on.weekday()) % 7)
    if date.max - starts_on < offset:
        return []
    day = starts_on + offset
    dates = []
    while day <= ends_on:
        dates.append(day)
        if date.max - day < timedelta(days=7):
            break
        day += timedelta(days=7)
    return dates


def open_terms() -> QuerySet[Term]:
    """Terms that are not closed, the latest first (what the create-weeks form offers)."""
    return Term.objects.filter(closed_at__isnull=True).order_by("-starts_on", "name")


def _clean_name(name: str, *, term: Term | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Give the term a name."), code="name_required")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            _("A term's name has at most %(count)d characters.") % {"count": NAME_MAX_LENGTH},
            code="name_too_long",
        )
    others = Term.objects.filter(name__iexact=name)
    if term is not None:
        others = others.exclude(pk=term.pk)
    if others.exists():
        raise ValidationError(
            _("There is already a term named %(name)s.") % {"name": name}, code="name_taken"
        )
    return name


def _check_defaults(*, weekday: int, meeting_time: time, rule: DeadlineRule) -> None:
    if weekday not in range(7):
        raise ValidationError(_("Choose a day of the week."), code="weekday")
    if not 0 <= rule.days_before <= MAX_DEADLINE_DAYS_BEFORE:
        raise ValidationError(
            _("Reviews are due between 0 and %(count)d days before the meeting.")
            % {"count": MAX_DEADLINE_DAYS_BEFORE},
            code="deadline_days",
        )
    if rule.days_before == 0 and rule.at > meeting_time:
        raise ValidationError(
            _("The review deadline must come before the week starts."),
            code="deadline_after_start",
        )


@transaction.atomic
def create_term(
    *,
    name: str,
    starts_on: date,
    ends_on: date,
    weekday: int,
    meeting_time: time = MEETING_TIME,
    place: str = "",
    online_url: str = "",
    rule: DeadlineRule = DEFAULT_DEADLINE,
    skip_dates: Iterable[date] = (),
) -> NewTerm:
    """A term and its weeks: one on every `weekday` from the first day to the last, numbered
    1..n, at `meeting_time`, with the term's place, link and deadline rule, but none on
    `skip_dates`. All or nothing."""
    name = _clean_name(name)
    if ends_on < starts_on:
        raise ValidationError(
            _("The last day must not come before the first day."), code="ends_before_start"
        )
    if (ends_on - starts_on).days > MAX_TERM_DAYS:
        raise ValidationError(
            _("A term lasts at most two years; check the last day."), code="too_long"
        )
    for day in (starts_on, ends_on):
        if (problem := day_problem(day)) is not None:
            raise problem
    _check_defaults(weekday=weekday, meeting_time=meeting_time, rule=rule)
    skipped = set(skip_dates)
    dates = [
        d
        for d in meeting_dates(starts_on=starts_on, ends_on=ends_on, weekday=weekday)
        if d not in skipped
    ]
    if len(dates) > MAX_WEEKS_AT_ONCE:
        raise ValidationError(
            _("A term has at most %(count)d weeks; choose a later first day or an earlier last.")
            % {"count": MAX_WEEKS_AT_ONCE},
            code="too_many",
        )
    try:
        with transaction.atomic():
            term = Term.objects.create(
                name=name,
                starts_on=starts_on,
                ends_on=ends_on,
                weekday=weekday,
                meeting_time=meeting_time,
                place=place.strip(),
                online_url=online_url.strip(),
                deadline_days_before=rule.days_before,
                deadline_time=rule.at,
            )
    except IntegrityError as error:  # the same name, saved by someone else a moment ago
        raise ValidationError(
            _("There is already a term named %(name)s.") % {"name": name}, code="name_taken"
        ) from error
    weeks = (
        create_weeks_on_dates(
            term=term,
            dates=dates,
            at=meeting_time,
            rule=rule,
            place=term.place,
            online_url=term.online_url,
        )
        if dates
        else []
    )
    return NewTerm(term=term, weeks=weeks)


@transaction.atomic
def rename_term(*, term: Term, name: str) -> Term:
    """Give the term another name (unique, whatever the letter case)."""
    term = Term.objects.select_for_update().get(pk=term.pk)
    name = _clean_name(name, term=term)
    if name != term.name:
        term.name = name
        try:
            with transaction.atomic():
                term.save(update_fields=["name"])
        except IntegrityError as error:
            raise ValidationError(
                _("There is already a term named %(name)s.") % {"name": name},
                code="name_taken",
            ) from error
    return term


@dataclass(frozen=True)
class TermUpdate:
    """What `update_term` did to the term's coming weeks (nothing unless asked)."""

    term: Term
    moved: list[Week]  # took the term's time, place, link and deadline rule
    kept_submitted: list[Week]  # a review of theirs is submitted: left as they were
    kept_started: list[Week]  # the new time has already passed today: left as they were


def _check_range(*, term: Term, starts_on: date, ends_on: date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(
            _("The last day must not come before the first day."), code="ends_before_start"
        )
    if ends_on is not None and (ends_on - starts_on).days > MAX_TERM_DAYS:
        raise ValidationError(
            _("A term lasts at most two years; check the last day."), code="too_long"
        )
    outside = [
        week.number
        for week in term.weeks.order_by("starts_at").only("number", "starts_at")
        if local_date(week.starts_at) < starts_on
        or (ends_on is not None and local_date(week.starts_at) > ends_on)
    ]
    if outside:
        raise ValidationError(
            _(
                "Weeks %(numbers)s of %(name)s would fall outside the new first and last day; "
                "keep them inside, or move those weeks first."
            )
            % {"numbers": ", ".join(str(n) for n in outside), "name": term.name},
            code="weeks_outside",
        )


@transaction.atomic
def update_term(
    *,
    term: Term,
    name: str,
    starts_on: date,
    ends_on: date | None,
    weekday: int,
    meeting_time: time,
    place: str,
    online_url: str,
    rule: DeadlineRule,
    apply_to_coming_weeks: bool = False,
    now: datetime | None = None,
) -> TermUpdate:
    """Change the term's name, first and last day and the defaults its new weeks are made with.

    Existing weeks keep what they have, unless `apply_to_coming_weeks`: then the weeks still
    to come take the term's defaults as saved here — the meeting time (on the same date), the
    place, the online link, and the review deadline by the term's rule — except those with a
    submitted review, and never a week that has started (nor today's, moved to an hour
    already gone). The meeting day only ever applies to weeks created afterwards: no week
    changes its date. Refused (nothing written) when the new first and last day would leave
    one of the term's weeks outside them."""
    now = now or timezone.now()
    term = Term.objects.select_for_update().get(pk=term.pk)
    name = _clean_name(name, term=term)
    _check_range(term=term, starts_on=starts_on, ends_on=ends_on)
    _check_defaults(weekday=weekday, meeting_time=meeting_time, rule=rule)
    place, online_url = place.strip(), online_url.strip()
    term.name, term.starts_on, term.ends_on, term.weekday = name, starts_on, ends_on, weekday
    term.meeting_time, term.place, term.online_url = meeting_time, place, online_url
    term.deadline_days_before, term.deadline_time = rule.days_before, rule.at
    try:
        with transaction.atomic():
            term.save()
    except IntegrityError as error:  # the same name, saved by someone else a moment ago
        raise ValidationError(
            _("There is already a term named %(name)s.") % {"name": name}, code="name_taken"
        ) from error

    moved: list[Week] = []
    kept_submitted: list[Week] = []
    kept_started: list[Week] = []
    if not apply_to_coming_weeks:
        return TermUpdate(term=term, moved=[], kept_submitted=[], kept_started=[])
    zone = group_zone()
    coming = Week.objects.filter(term=term, starts_at__gt=now)
    submitted = set(
        coming.filter(topics__slots__review__status="submitted").values_list("pk", flat=True)
    )
    for week in coming.select_for_update().order_by("starts_at"):
        if week.pk in submitted:
            kept_submitted.append(week)
            continue
        starts_at = datetime.combine(local_date(week.starts_at), meeting_time, tzinfo=zone)
        if starts_at <= now:  # today's week, moved to an hour already gone
            kept_started.append(week)
            continue
        week.starts_at, week.review_deadline = starts_at, rule.deadline_for(starts_at)
        week.place, week.online_url = place, online_url
        # One save each: calendars and the group's page follow (post_save receivers).
        week.save(update_fields=["starts_at", "review_deadline", "place", "online_url"])
        moved.append(week)
    return TermUpdate(
        term=term, moved=moved, kept_submitted=kept_submitted, kept_started=kept_started
    )


def week_form_defaults(*, term: Term, today: date) -> dict[str, object]:
    """What the create-weeks form starts with for `term`: its meeting time, place, link and
    deadline rule, and as first date a week after its last coming week, else its next meeting
    day from tomorrow (and not before its first day)."""
    earliest = max(today + timedelta(days=1), term.starts_on)
    last = term.weeks.order_by("-starts_at").values_list("starts_at", flat=True).first()
    if last is not None and local_date(last) >= earliest - timedelta(days=7):
        first_date = local_date(last) + timedelta(days=7)
    else:
        first_date = earliest + timedelta(days=(term.meeting_weekday - earliest.weekday()) % 7)
    return {
        "first_date": first_date,
        "time": term.meeting_time,
        "place": term.place,
        "online_url": term.online_url,
        "deadline_days_before": term.deadline_days_before,
        "deadline_time": term.deadline_time,
    }


@transaction.atomic
def close_term(*, term: Term, now: datetime | None = None) -> Term:
    """Close the term: its weeks leave the board and it leaves the create-weeks form. Refused
    while one of its coming weeks still has topics (their people would drop out of sight)."""
    now = now or timezone.now()
    term = Term.objects.select_for_update().get(pk=term.pk)
    if term.closed_at is not None:
        raise ValidationError(
            _("%(name)s is already closed.") % {"name": term.name}, code="already_closed"
        )
    today = timezone.localtime(now, group_zone()).replace(hour=0, minute=0, second=0, microsecond=0)
    busy = list(
        Week.objects.filter(term=term, starts_at__gte=today, topics__isnull=False)
        .distinct()
        .order_by("starts_at")
        .values_list("number", flat=True)
    )
    if busy:
        raise ValidationError(
            _(
                "Weeks %(numbers)s of %(name)s are still to come and have topics; move or "
                "remove those topics before closing the term."
            )
            % {"numbers": ", ".join(str(n) for n in busy), "name": term.name},
            code="coming_topics",
        )
    term.closed_at = now
    term.save(update_fields=["closed_at"])
    return term


@transaction.atomic
def reopen_term(*, term: Term) -> Term:
    """Open a closed term again: back on the board and in the create-weeks form."""
    term = Term.objects.select_for_update().get(pk=term.pk)
    if term.closed_at is None:
        raise ValidationError(_("%(name)s is open.") % {"name": term.name}, code="not_closed")
    term.closed_at = None
    term.save(update_fields=["closed_at"])
    return term
