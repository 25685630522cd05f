"""Suggestions and conflicts for real weeks: loads the `Participation` snapshot and asks the
pure rules in `seminar.scheduling.fairness`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from seminar.meetings import local_date
from seminar.models import ReviewerSlot, Topic, Unavailability, User, Week
from seminar.scheduling.fairness import (
    SUGGESTIONS_SHOWN,
    Assignment,
    Conflict,
    ConflictKind,
    Participation,
    Suggestion,
    rank_members,
)
from seminar.scheduling.people import PRESENTER, REVIEWER


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
