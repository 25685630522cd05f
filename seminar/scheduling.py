"""Planning the programme: weeks, their topics, and who presents and reviews.

Writes are keyword-only functions, each in one transaction, raising `ValidationError` with a
message meant for the organizer (and a `code` for callers). Every change of a presenter or a
reviewer goes through `record_assignment_change` inside that transaction, which is what the
change history and the assignment emails are made from.

Reads for the schedule board (`schedule_board`) load a `Participation` snapshot in a fixed
number of queries; fair suggestions (`suggest_presenters`, `suggest_reviewers`) and conflicts
(`find_conflicts`) are then computed from it in memory, so the board costs the same number of
queries whatever it shows.

Fairness, for one open role (presenter or reviewer) of a topic in week W of term T. Members
who are inactive, unavailable on W's date, or already on this topic (its presenter, its
reviewers) are never suggested. The rest are ordered by, in turn:

1. already holding a role in week W (ranked last: two roles in one week is a conflict);
2. fewest times in this role in term T;
3. longest since (or until) their nearest other week in this role, in any term (never first);
4. fewest roles of either kind in term T;
5. name.

Roles already scheduled for later weeks count as much as those already done: planning five
weeks ahead must not give the same person all five.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from papers.models import CandidatePaper
from reviews.models import Review
from seminar.models import (
    AssignmentChange,
    FormSubmission,
    ReviewerSlot,
    Term,
    Topic,
    Unavailability,
    User,
    Week,
)
from seminar.services import claim_form_token, record_assignment_change

PRESENTER = AssignmentChange.Role.PRESENTER.value
REVIEWER = AssignmentChange.Role.REVIEWER.value

MAX_WEEKS_AT_ONCE = 52
DEFAULT_SLOT_COUNT = 2
MAX_SLOT_COUNT = 8
SUGGESTIONS_SHOWN = 3
BOARD_WEEKS = 16
HISTORY_SHOWN = 30
# Sorts "never had this role" before any real distance, in weeks.
_NEVER = 10**6


def group_zone():
    return timezone.get_default_timezone()


def local_date(moment: datetime) -> date:
    """The group's calendar day of a moment (a week "is on" this date)."""
    return timezone.localtime(moment, group_zone()).date()


# --- weeks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineRule:
    """Reviews are due `days_before` the week's day at `at`, in the group's time zone
    (the default: the day before at 23:59)."""

    days_before: int = 1
    at: time = time(23, 59)

    def deadline_for(self, starts_at: datetime) -> datetime:
        zone = group_zone()
        day = local_date(starts_at) - timedelta(days=self.days_before)
        return datetime.combine(day, self.at, tzinfo=zone)


def session_dates(*, first: date, count: int, skip: Iterable[date] = (), every_days: int = 7):
    """`count` dates, `every_days` apart from `first`, passing over the `skip` dates (a
    skipped date does not count: the run goes on until `count` dates are found)."""
    skipped = set(skip)
    dates: list[date] = []
    day = first
    for _step in range(count + len(skipped)):
        if len(dates) == count:
            break
        if day not in skipped:
            dates.append(day)
        day += timedelta(days=every_days)
    return dates


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
    rule: DeadlineRule = DeadlineRule(),
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
    rule: DeadlineRule = DeadlineRule(),
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


def next_week_defaults(today: date | None = None) -> dict[str, object]:
    """What the create-weeks form starts with: a week after the last one, at its time."""
    today = today or timezone.localdate()
    last = Week.objects.order_by("-starts_at").only("starts_at", "review_deadline", "place").first()
    if last is None or local_date(last.starts_at) < today:
        return {"first_date": today + timedelta(days=7), "time": time(19, 0)}
    local = timezone.localtime(last.starts_at, group_zone())
    deadline = timezone.localtime(last.review_deadline, group_zone())
    return {
        "first_date": local.date() + timedelta(days=7),
        "time": local.time().replace(second=0, microsecond=0),
        "deadline_days_before": max((local.date() - deadline.date()).days, 0),
        "deadline_time": deadline.time().replace(second=0, microsecond=0),
        "place": last.place,
    }


# --- topics -----------------------------------------------------------------------------------


def _mark_scheduled(paper_id: int) -> None:
    CandidatePaper.objects.filter(
        pk=paper_id,
        status__in=[CandidatePaper.Status.CANDIDATE, CandidatePaper.Status.DISMISSED],
    ).update(status=CandidatePaper.Status.SCHEDULED, updated_at=timezone.now())


def _unmark_scheduled(paper_id: int | None) -> None:
    """Back to the pool, unless another topic still has it (or it was presented)."""
    if paper_id is None or Topic.objects.filter(paper_id=paper_id).exists():
        return
    CandidatePaper.objects.filter(pk=paper_id, status=CandidatePaper.Status.SCHEDULED).update(
        status=CandidatePaper.Status.CANDIDATE, updated_at=timezone.now()
    )


def _renumber(rows: Sequence[Topic] | Sequence[ReviewerSlot], attribute: str) -> None:
    """Number the rows 1..N in their current order. Going up the list, each row's new number
    is at most its old one and its holder has already moved, so the unique constraint holds
    after every single UPDATE."""
    for position, row in enumerate(rows, start=1):
        if getattr(row, attribute) != position:
            setattr(row, attribute, position)
            row.save(update_fields=[attribute])


@transaction.atomic
def add_topic(
    *,
    week: Week,
    title: str = "",
    paper: CandidatePaper | None = None,
    slot_count: int = DEFAULT_SLOT_COUNT,
    presenter: User | None = None,
    actor: User | None,
    form_token: UUID | None = None,
) -> Topic:
    """A topic at the end of the week, with `slot_count` open reviewer slots. A linked
    paper gives the title when none is typed, and is marked scheduled.

    With the form's one-time token, sending the same form again (a double click, parallel
    requests) adds nothing and returns the topic the first sending added.
    """
    week = Week.objects.select_for_update().get(pk=week.pk)
    claim = None
    if form_token is not None:
        claim = claim_form_token(token=form_token, kind=FormSubmission.Kind.ADD_TOPIC, user=actor)
        if not claim.first:
            return _topic_added_by(claim.submission, actor=actor)
    title = " ".join(title.split())
    if not title and paper is not None:
        title = paper.title or paper.arxiv_id
    if not title:
        raise ValidationError(_("Give a title or choose a paper."), code="title")
    if len(title) > Topic._meta.get_field("title").max_length:
        raise ValidationError(_("The title is too long."), code="title")
    _check_slot_count(slot_count)
    order = (week.topics.aggregate(n=Max("order"))["n"] or 0) + 1
    topic = Topic.objects.create(week=week, order=order, title=title, paper=paper)
    ReviewerSlot.objects.bulk_create(
        [ReviewerSlot(topic=topic, number=n) for n in range(1, slot_count + 1)]
    )
    if paper is not None:
        _mark_scheduled(paper.pk)
    if presenter is not None:
        topic = assign_presenter(topic=topic, member=presenter, actor=actor)
    if claim is not None:
        claim.submission.object_id = topic.pk
        claim.submission.save(update_fields=["object_id"])
    return topic


def _topic_added_by(submission: FormSubmission, *, actor: User | None) -> Topic:
    """The topic an earlier sending of the same add-topic form added."""
    same_form = submission.kind == FormSubmission.Kind.ADD_TOPIC and submission.user_id == (
        actor.pk if actor else None
    )
    topic = Topic.objects.filter(pk=submission.object_id).first() if same_form else None
    if topic is None:  # another form's token, or the topic was removed since
        raise ValidationError(
            _("This form was already sent; reload the page to add another topic."),
            code="repeated",
        )
    return topic


@transaction.atomic
def link_paper(*, topic: Topic, paper: CandidatePaper | None) -> Topic:
    """Link the topic to a candidate paper (marked scheduled), or unlink it (back to the
    pool when no other topic has it)."""
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    previous = topic.paper_id
    if previous == (paper.pk if paper else None):
        return topic
    topic.paper = paper
    topic.save(update_fields=["paper"])
    if paper is not None:
        _mark_scheduled(paper.pk)
    _unmark_scheduled(previous)
    return topic


@transaction.atomic
def remove_topic(*, topic: Topic) -> None:
    """Delete a topic nobody is assigned to (unassign first: that is recorded and mailed)."""
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    if topic.presenter_id or topic.slots.filter(reviewer__isnull=False).exists():
        raise ValidationError(
            _("Unassign the presenter and the reviewers before removing the topic."),
            code="assigned",
        )
    if Review.objects.filter(slot__topic=topic).exists():
        raise ValidationError(_("This topic has reviews; it cannot be removed."), code="reviews")
    week_id, paper_id = topic.week_id, topic.paper_id
    topic.delete()
    _unmark_scheduled(paper_id)
    _renumber(list(Topic.objects.filter(week_id=week_id).order_by("order")), "order")


def _holders(topic: Topic) -> list[tuple[User, str]]:
    people: list[tuple[User, str]] = []
    if topic.presenter is not None:
        people.append((topic.presenter, PRESENTER))
    for slot in topic.slots.select_related("reviewer").filter(reviewer__isnull=False):
        people.append((slot.reviewer, REVIEWER))
    return people


@transaction.atomic
def move_topic(
    *, topic: Topic, week: Week, actor: User | None, now: datetime | None = None
) -> Topic:
    """Move a topic, its slots and reviews to the end of another upcoming week.

    Its presenter and reviewers keep their roles; each gets a fresh assignment record (so an
    email tells them the new date).
    """
    now = now or timezone.now()
    # The topic's row alone; its weeks are locked next.
    topic = Topic.objects.select_for_update(of=("self",)).select_related("week").get(pk=topic.pk)
    if topic.week_id == week.pk:
        return topic
    # Both weeks, in pk order, so two moves in opposite directions cannot deadlock.
    locked = {
        w.pk: w
        for w in Week.objects.select_for_update()
        .filter(pk__in=[topic.week_id, week.pk])
        .order_by("pk")
    }
    target = locked[week.pk]
    if target.starts_at <= now:
        raise ValidationError(
            _("Week %(number)d has already taken place.") % {"number": target.number},
            code="past",
        )
    if topic.week.starts_at <= now:
        raise ValidationError(
            _("This topic's week has already taken place; it stays in the archive."),
            code="past",
        )
    source_id = topic.week_id
    topic.week = target
    topic.order = (target.topics.aggregate(n=Max("order"))["n"] or 0) + 1
    topic.save(update_fields=["week", "order"])
    _renumber(list(Topic.objects.filter(week_id=source_id).order_by("order")), "order")
    for member, role in _holders(topic):
        record_assignment_change(topic=topic, member=member, role=role, assigned=True, actor=actor)
    return topic


def _check_slot_count(count: int) -> None:
    if not 0 <= count <= MAX_SLOT_COUNT:
        raise ValidationError(
            _("A topic has between 0 and %(max)d reviewer slots.") % {"max": MAX_SLOT_COUNT},
            code="slot_count",
        )


@transaction.atomic
def set_slot_count(*, topic: Topic, count: int) -> list[ReviewerSlot]:
    """Add open slots, or remove open ones (highest numbers first); slots with a reviewer or
    a review are never removed. The remaining slots are numbered 1..N."""
    _check_slot_count(count)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    slots = list(
        ReviewerSlot.objects.select_for_update(of=("self",)).filter(topic=topic).order_by("number")
    )
    if count > len(slots):
        top = slots[-1].number if slots else 0
        ReviewerSlot.objects.bulk_create(
            [ReviewerSlot(topic=topic, number=top + k) for k in range(1, count - len(slots) + 1)]
        )
    elif count < len(slots):
        reviewed = set(Review.objects.filter(slot__topic=topic).values_list("slot_id", flat=True))
        removable = [s for s in reversed(slots) if s.reviewer_id is None and s.pk not in reviewed]
        excess = len(slots) - count
        if len(removable) < excess:
            raise ValidationError(
                ngettext(
                    "Only %(count)d slot is open; unassign a reviewer first.",
                    "Only %(count)d slots are open; unassign reviewers first.",
                    len(removable),
                )
                % {"count": len(removable)},
                code="taken",
            )
        ReviewerSlot.objects.filter(pk__in=[s.pk for s in removable[:excess]]).delete()
    remaining = list(ReviewerSlot.objects.filter(topic=topic).order_by("number"))
    _renumber(remaining, "number")
    return remaining


# --- people -----------------------------------------------------------------------------------


class _Anyone:
    """`expected=ANYONE`: change the role whoever holds it now."""

    def __repr__(self) -> str:
        return "ANYONE"


ANYONE = _Anyone()


def _check_expected(current: User | None, expected: int | _Anyone | None) -> None:
    """Refuse a change made from a stale page: the role's holder is no longer the one the
    organizer saw (e.g. a member took the slot meanwhile)."""
    if expected is ANYONE or (current.pk if current else None) == expected:
        return
    raise ValidationError(
        _("This was changed meanwhile (now: %(name)s); nothing was changed. Look again.")
        % {"name": current.display_name if current else _("nobody")},
        code="changed",
    )


def _check_member(member: User | None) -> None:
    if member is not None and not member.is_active:
        raise ValidationError(
            _("%(name)s is not an active member.") % {"name": member.display_name},
            code="inactive",
        )


@transaction.atomic
def assign_presenter(
    *,
    topic: Topic,
    member: User | None,
    actor: User | None,
    expected: int | _Anyone | None = ANYONE,
) -> Topic:
    """Make `member` the topic's presenter (None: nobody). The one who loses the role and
    the one who gains it are both recorded. With `expected` (the presenter's id the page
    showed, None for nobody) a change from a stale page is refused."""
    _check_member(member)
    topic = (
        Topic.objects.select_for_update(of=("self",)).select_related("presenter").get(pk=topic.pk)
    )
    previous = topic.presenter
    if (previous.pk if previous else None) == (member.pk if member else None):
        return topic
    _check_expected(previous, expected)
    topic.presenter = member
    topic.save(update_fields=["presenter"])
    if previous is not None:
        record_assignment_change(
            topic=topic, member=previous, role=PRESENTER, assigned=False, actor=actor
        )
    if member is not None:
        record_assignment_change(
            topic=topic, member=member, role=PRESENTER, assigned=True, actor=actor
        )
    return topic


@transaction.atomic
def assign_reviewer(
    *,
    slot: ReviewerSlot,
    member: User | None,
    actor: User | None,
    expected: int | _Anyone | None = ANYONE,
) -> ReviewerSlot:
    """Make `member` the slot's reviewer (None: open the slot).

    A submitted review keeps its slot: that reviewer cannot be replaced. A draft belongs to
    the reviewer being replaced and is discarded, as when they release the slot themselves.
    With `expected` (the reviewer's id the page showed, None for an open slot) a change from
    a stale page is refused, so accepting a suggestion never replaces a member who has just
    taken the slot themselves.
    """
    _check_member(member)
    slot = (
        ReviewerSlot.objects.select_for_update(of=("self",))
        .select_related("topic", "reviewer")
        .get(pk=slot.pk)
    )
    previous = slot.reviewer
    if (previous.pk if previous else None) == (member.pk if member else None):
        return slot
    _check_expected(previous, expected)
    review = Review.objects.filter(slot=slot).first()
    if review is not None and review.is_submitted:
        raise ValidationError(
            _("%(name)s has submitted a review for this slot; it stays theirs.")
            % {"name": previous.display_name if previous else _("someone")},
            code="submitted",
        )
    if (
        member is not None
        and ReviewerSlot.objects.filter(topic_id=slot.topic_id, reviewer=member)
        .exclude(pk=slot.pk)
        .exists()
    ):
        raise ValidationError(
            _("%(name)s already reviews this topic.") % {"name": member.display_name},
            code="one_per_topic",
        )
    if review is not None:
        review.delete()
    slot.reviewer = member
    try:
        with transaction.atomic():
            slot.save(update_fields=["reviewer"])
    except IntegrityError as error:  # the same member put on another slot of it concurrently
        raise ValidationError(
            _("%(name)s already reviews this topic.") % {"name": member.display_name},
            code="one_per_topic",
        ) from error
    if previous is not None:
        record_assignment_change(
            topic=slot.topic, member=previous, role=REVIEWER, assigned=False, actor=actor
        )
    if member is not None:
        record_assignment_change(
            topic=slot.topic, member=member, role=REVIEWER, assigned=True, actor=actor
        )
    return slot


# --- unavailable dates ------------------------------------------------------------------------


def mark_unavailable(*, member: User, day: date, note: str = "") -> Unavailability:
    """Add (or re-note) a date the member cannot take part."""
    entry, _created = Unavailability.objects.update_or_create(
        member=member, date=day, defaults={"note": note.strip()}
    )
    return entry


def unmark_unavailable(*, member: User, entry_id: int) -> bool:
    deleted, _rows = Unavailability.objects.filter(member=member, pk=entry_id).delete()
    return bool(deleted)


def upcoming_unavailability(member: User, today: date | None = None) -> QuerySet[Unavailability]:
    today = today or timezone.localdate()
    return Unavailability.objects.filter(member=member, date__gte=today).order_by("date")


# --- participation, suggestions and conflicts -------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """One role one member holds (or held): who, what, which week."""

    member_id: int
    role: str
    week_id: int
    term_id: int
    starts_at: datetime
    topic_id: int


@dataclass
class Participation:
    """Who did (or will do) what, and who is away when: what suggestions are made from."""

    members: list[User]
    assignments: list[Assignment]
    unavailable: dict[int, set[date]]
    by_member: dict[int, list[Assignment]] = field(init=False)
    by_week: dict[int, list[Assignment]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_member = defaultdict(list)
        self.by_week = defaultdict(list)
        for assignment in self.assignments:
            self.by_member[assignment.member_id].append(assignment)
            self.by_week[assignment.week_id].append(assignment)

    def is_unavailable(self, member_id: int, day: date) -> bool:
        return day in self.unavailable.get(member_id, ())


def load_participation(*, dates: Iterable[date]) -> Participation:
    """Active members, every presenter and reviewer role ever, and who is away on `dates`
    (four queries)."""
    members = list(User.objects.filter(is_active=True).order_by("name", "email"))
    assignments = [
        Assignment(member, PRESENTER, week, term, starts_at, topic)
        for member, week, term, starts_at, topic in Topic.objects.filter(
            presenter__isnull=False
        ).values_list("presenter_id", "week_id", "week__term_id", "week__starts_at", "pk")
    ]
    assignments += [
        Assignment(member, REVIEWER, week, term, starts_at, topic)
        for member, week, term, starts_at, topic in ReviewerSlot.objects.filter(
            reviewer__isnull=False
        ).values_list(
            "reviewer_id",
            "topic__week_id",
            "topic__week__term_id",
            "topic__week__starts_at",
            "topic_id",
        )
    ]
    unavailable: dict[int, set[date]] = defaultdict(set)
    for member_id, day in Unavailability.objects.filter(date__in=list(dates)).values_list(
        "member_id", "date"
    ):
        unavailable[member_id].add(day)
    return Participation(members=members, assignments=assignments, unavailable=unavailable)


@dataclass(frozen=True)
class Suggestion:
    """A member proposed for a role, with what they were ranked by."""

    member: User
    role: str
    busy_this_week: bool
    in_role_this_term: int
    weeks_apart: int | None  # to their nearest other week in this role; None: never
    load_this_term: int

    @property
    def sort_key(self) -> tuple:
        apart = _NEVER if self.weeks_apart is None else self.weeks_apart
        return (
            self.busy_this_week,
            self.in_role_this_term,
            -apart,
            self.load_this_term,
            self.member.display_name.casefold(),
            self.member.pk,
        )

    @property
    def reason(self) -> str:
        if self.role == PRESENTER:
            count = ngettext(
                "%(n)d talk this term", "%(n)d talks this term", self.in_role_this_term
            )
        else:
            count = ngettext(
                "%(n)d review this term", "%(n)d reviews this term", self.in_role_this_term
            )
        parts = [count % {"n": self.in_role_this_term}]
        if self.weeks_apart is None:
            parts.append(_("never before") if self.role == PRESENTER else _("first review"))
        else:
            parts.append(
                ngettext("%(n)d week apart", "%(n)d weeks apart", self.weeks_apart)
                % {"n": self.weeks_apart}
            )
        if self.busy_this_week:
            parts.append(_("already has a role this week"))
        return " · ".join(parts)


def rank_members(
    *,
    participation: Participation,
    role: str,
    week: Week,
    exclude: Iterable[int] = (),
) -> list[Suggestion]:
    """Every member who could take `role` in `week`, fairest first (module docstring)."""
    excluded = set(exclude)
    day = local_date(week.starts_at)
    busy = {a.member_id for a in participation.by_week.get(week.pk, ())}
    ranked = []
    for member in participation.members:
        if member.pk in excluded or participation.is_unavailable(member.pk, day):
            continue
        elsewhere = [a for a in participation.by_member.get(member.pk, ()) if a.week_id != week.pk]
        same_role = [a for a in elsewhere if a.role == role]
        gaps = [abs((a.starts_at - week.starts_at).days) // 7 for a in same_role]
        ranked.append(
            Suggestion(
                member=member,
                role=role,
                busy_this_week=member.pk in busy,
                in_role_this_term=sum(1 for a in same_role if a.term_id == week.term_id),
                weeks_apart=min(gaps) if gaps else None,
                load_this_term=sum(1 for a in elsewhere if a.term_id == week.term_id),
            )
        )
    ranked.sort(key=lambda s: s.sort_key)
    return ranked


def _topic_people(topic: Topic) -> tuple[int | None, set[int]]:
    reviewers = {s.reviewer_id for s in topic.slots.all() if s.reviewer_id is not None}
    return topic.presenter_id, reviewers


def suggest_presenters(
    *,
    topic: Topic,
    participation: Participation | None = None,
    limit: int = SUGGESTIONS_SHOWN,
) -> list[Suggestion]:
    """The fairest presenters for the topic; none of its reviewers."""
    week = topic.week
    participation = participation or load_participation(dates=[local_date(week.starts_at)])
    presenter_id, reviewers = _topic_people(topic)
    exclude = reviewers | ({presenter_id} if presenter_id else set())
    return rank_members(participation=participation, role=PRESENTER, week=week, exclude=exclude)[
        :limit
    ]


def suggest_reviewers(
    *,
    topic: Topic,
    participation: Participation | None = None,
    limit: int = SUGGESTIONS_SHOWN,
) -> list[Suggestion]:
    """The fairest reviewers for the topic's next open slot; never its presenter or one of
    its reviewers."""
    week = topic.week
    participation = participation or load_participation(dates=[local_date(week.starts_at)])
    presenter_id, reviewers = _topic_people(topic)
    exclude = reviewers | ({presenter_id} if presenter_id else set())
    return rank_members(participation=participation, role=REVIEWER, week=week, exclude=exclude)[
        :limit
    ]


class ConflictKind:
    OWN_TOPIC = "own_topic"
    TWO_ROLES = "two_roles"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Conflict:
    kind: str
    week_id: int
    member: User
    topic_id: int | None = None
    slot_id: int | None = None

    @property
    def message(self) -> str:
        name = self.member.display_name
        if self.kind == ConflictKind.OWN_TOPIC:
            return _("%(name)s reviews the topic they present.") % {"name": name}
        if self.kind == ConflictKind.TWO_ROLES:
            return _("%(name)s has more than one role this week.") % {"name": name}
        return _("%(name)s marked this date unavailable.") % {"name": name}


def find_conflicts(
    *, weeks: Iterable[Week], unavailable: dict[int, set[date]] | None = None
) -> list[Conflict]:
    """What is wrong with the weeks' assignments: a presenter reviewing their own topic, a
    member with two roles in one week, a member assigned on a date they marked unavailable.

    Reads `week.topics.all()` and `topic.slots.all()` with their people (prefetch them);
    `unavailable` (member id -> dates) is loaded when not given.
    """
    weeks = list(weeks)
    if unavailable is None:
        unavailable = defaultdict(set)
        for member_id, day in Unavailability.objects.filter(
            date__in=[local_date(w.starts_at) for w in weeks]
        ).values_list("member_id", "date"):
            unavailable[member_id].add(day)
    conflicts: list[Conflict] = []
    for week in weeks:
        day = local_date(week.starts_at)
        roles: dict[int, list[tuple[User, Topic, ReviewerSlot | None]]] = defaultdict(list)
        for topic in week.topics.all():
            if topic.presenter_id is not None:
                roles[topic.presenter_id].append((topic.presenter, topic, None))
            for slot in topic.slots.all():
                if slot.reviewer_id is None:
                    continue
                roles[slot.reviewer_id].append((slot.reviewer, topic, slot))
                if slot.reviewer_id == topic.presenter_id:
                    conflicts.append(
                        Conflict(ConflictKind.OWN_TOPIC, week.pk, slot.reviewer, topic.pk, slot.pk)
                    )
        for member_id, held in roles.items():
            member = held[0][0]
            if len(held) > 1:
                conflicts.append(Conflict(ConflictKind.TWO_ROLES, week.pk, member))
            if day in unavailable.get(member_id, ()):
                conflicts.append(Conflict(ConflictKind.UNAVAILABLE, week.pk, member))
    return conflicts


# --- the board --------------------------------------------------------------------------------


@dataclass
class SlotCell:
    slot: ReviewerSlot
    review_state: str  # "", "draft" or "submitted"
    flags: list[str]


@dataclass
class TopicCard:
    topic: Topic
    slots: list[SlotCell]
    presenter_flags: list[str]
    presenter_suggestions: list[Suggestion]
    reviewer_suggestions: list[Suggestion]
    first_open_slot: ReviewerSlot | None

    @property
    def unassigned(self) -> bool:
        """Nobody presents or reviews it (so it may be removed)."""
        return self.topic.presenter_id is None and all(
            cell.slot.reviewer_id is None for cell in self.slots
        )


@dataclass
class BoardWeek:
    week: Week
    topics: list[TopicCard]
    conflicts: list[Conflict]
    history: list[AssignmentChange]
    away: list[User]  # members who marked the week's date unavailable


@dataclass
class Board:
    weeks: list[BoardWeek]
    members: list[User]


def board_weeks(now: datetime | None = None) -> QuerySet[Week]:
    """Upcoming weeks (from today on) with topics, papers, people, slots and reviews."""
    now = now or timezone.now()
    today = timezone.localtime(now, group_zone()).replace(hour=0, minute=0, second=0, microsecond=0)
    slots = ReviewerSlot.objects.select_related("reviewer", "review").order_by("number")
    topics = (
        Topic.objects.select_related("presenter", "paper")
        .prefetch_related(Prefetch("slots", queryset=slots))
        .order_by("order")
    )
    return (
        Week.objects.filter(starts_at__gte=today)
        .select_related("term")
        .prefetch_related(Prefetch("topics", queryset=topics))
        .order_by("starts_at")
    )


def _review_state(slot: ReviewerSlot) -> str:
    review = getattr(slot, "review", None) if hasattr(slot, "review") else None
    if review is None:
        return ""
    return "submitted" if review.is_submitted else "draft"


def schedule_board(*, now: datetime | None = None, limit: int = BOARD_WEEKS) -> Board:
    """The organizers' board: upcoming weeks, each topic with its people, conflict flags and
    fair suggestions for every open role, and the week's change history (nine queries)."""
    weeks = list(board_weeks(now)[:limit])
    participation = load_participation(dates=[local_date(w.starts_at) for w in weeks])
    conflicts = find_conflicts(weeks=weeks, unavailable=participation.unavailable)
    history: dict[int, list[AssignmentChange]] = defaultdict(list)
    changes = (
        AssignmentChange.objects.filter(topic__week__in=[w.pk for w in weeks])
        .select_related("member", "actor", "topic")
        .order_by("-created_at", "-pk")
    )
    for change in changes:
        if len(history[change.topic.week_id]) < HISTORY_SHOWN:
            history[change.topic.week_id].append(change)

    rows = []
    for week in weeks:
        mine = [c for c in conflicts if c.week_id == week.pk]
        flagged: dict[int, list[str]] = defaultdict(list)  # member -> week-wide kinds
        for conflict in mine:
            if conflict.kind != ConflictKind.OWN_TOPIC:
                flagged[conflict.member.pk].append(conflict.kind)
        own_topic = {c.slot_id for c in mine if c.kind == ConflictKind.OWN_TOPIC}
        cards = []
        for topic in week.topics.all():
            topic.week = week  # already loaded: no query per topic
            cells = []
            for slot in topic.slots.all():
                flags = list(flagged.get(slot.reviewer_id, [])) if slot.reviewer_id else []
                if slot.pk in own_topic:
                    flags.insert(0, ConflictKind.OWN_TOPIC)
                cells.append(SlotCell(slot=slot, review_state=_review_state(slot), flags=flags))
            first_open = next((c.slot for c in cells if c.slot.reviewer_id is None), None)
            cards.append(
                TopicCard(
                    topic=topic,
                    slots=cells,
                    presenter_flags=list(flagged.get(topic.presenter_id, []))
                    if topic.presenter_id
                    else [],
                    presenter_suggestions=(
                        suggest_presenters(topic=topic, participation=participation)
                        if topic.presenter_id is None
                        else []
                    ),
                    reviewer_suggestions=(
                        suggest_reviewers(topic=topic, participation=participation)
                        if first_open is not None
                        else []
                    ),
                    first_open_slot=first_open,
                )
            )
        day = local_date(week.starts_at)
        away = [m for m in participation.members if participation.is_unavailable(m.pk, day)]
        rows.append(
            BoardWeek(
                week=week,
                topics=cards,
                conflicts=mine,
                history=history.get(week.pk, []),
                away=away,
            )
        )
    return Board(weeks=rows, members=participation.members)
