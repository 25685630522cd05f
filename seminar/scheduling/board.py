"""The organizers' board: upcoming weeks, each topic with its people, conflicts and
suggestions, in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from seminar.meetings import group_zone, local_date
from seminar.models import (
    AssignmentChange,
    ReviewerSlot,
    Topic,
    User,
    Week,
)
from seminar.scheduling.agenda import PICKER_SIZE, AgendaRow, ranked_candidates
from seminar.scheduling.fairness import Conflict, ConflictKind, Suggestion
from seminar.scheduling.suggestions import (
    find_conflicts,
    load_participation,
    load_volunteers,
    suggest_presenters,
    suggest_reviewers,
)

BOARD_WEEKS = 16
HISTORY_SHOWN = 30


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
    # The top of the agenda (#13), for each week's topic picker: votes, volunteers, interest.
    agenda: list[AgendaRow] = field(default_factory=list)


def board_weeks(now: datetime | None = None, *, include_closed: bool = False) -> QuerySet[Week]:
    """Upcoming weeks (from today on) with topics, papers, people, slots and reviews; those of
    closed terms only when asked."""
    now = now or timezone.now()
    today = timezone.localtime(now, group_zone()).replace(hour=0, minute=0, second=0, microsecond=0)
    slots = ReviewerSlot.objects.select_related("reviewer", "review").order_by("number")
    topics = (
        Topic.objects.select_related("presenter", "paper")
        .prefetch_related(Prefetch("slots", queryset=slots))
        .order_by("order")
    )
    weeks = Week.objects.filter(starts_at__gte=today)
    if not include_closed:
        weeks = weeks.filter(term__closed_at__isnull=True)
    return (
        weeks.select_related("term")
        .prefetch_related(Prefetch("topics", queryset=topics))
        .order_by("starts_at")
    )


def _review_state(slot: ReviewerSlot) -> str:
    review = slot.current_review
    if review is None:
        return ""
    return "submitted" if review.is_submitted else "draft"


def schedule_board(
    *, now: datetime | None = None, limit: int = BOARD_WEEKS, include_closed: bool = False
) -> Board:
    """The organizers' board: upcoming weeks, each topic with its people, conflict flags and
    fair suggestions for every open role (volunteers for the paper first), the week's change
    history, and the top of the agenda for the topic picker (at most fourteen queries).
    Weeks of closed terms only when `include_closed`."""
    weeks = list(board_weeks(now, include_closed=include_closed)[:limit])
    participation = load_participation(dates=[local_date(w.starts_at) for w in weeks], weeks=weeks)
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
    # Who volunteered to present the topics' papers (#13): first among the suggestions.
    volunteers = load_volunteers(paper_ids=[t.paper_id for w in weeks for t in w.topics.all()])

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
                        suggest_presenters(
                            topic=topic,
                            participation=participation,
                            volunteers=volunteers.get(topic.paper_id, set()),
                        )
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
    agenda = ranked_candidates(now=now, limit=PICKER_SIZE) if weeks else []
    return Board(weeks=rows, members=participation.members, agenda=agenda)
