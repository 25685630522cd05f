"""Suggestions and conflicts for real weeks: loads the `Participation` snapshot and asks the
pure rules in `seminar.scheduling.fairness`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields
from datetime import date

from django.db.models import Max, Q
from django.utils.translation import gettext as _

from papers.models import PaperInterest
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


def load_participation(
    *, dates: Iterable[date], weeks: Collection[Week] | None = None
) -> Participation:
    """Active members, their presenter and reviewer roles, and who is away on `dates`.

    Without `weeks`, every role ever (four queries). With `weeks` (those suggestions are made
    for), only what ranking them reads, a fixed amount however many years are stored (six
    queries): every role from the earliest of them on and in their terms, and before that
    each member's latest week in each role, the nearest one to any of them (`rank_members`
    reads the nearest week in the role and the counts in the week's term).
    """
    members = list(User.objects.filter(is_active=True).order_by("name", "email"))
    topics = Topic.objects.filter(presenter__isnull=False)
    slots = ReviewerSlot.objects.filter(reviewer__isnull=False)
    earlier: list[Assignment] = []
    if weeks:
        start = min(week.starts_at for week in weeks)
        terms = {week.term_id for week in weeks}
        recent = Q(week__starts_at__gte=start) | Q(week__term_id__in=terms)
        earlier = [
            Assignment(member, PRESENTER, 0, 0, last, 0)
            for member, last in topics.exclude(recent)
            .values_list("presenter_id")
            .annotate(last=Max("week__starts_at"))
        ]
        earlier += [
            Assignment(member, REVIEWER, 0, 0, last, 0)
            for member, last in slots.exclude(
                Q(topic__week__starts_at__gte=start) | Q(topic__week__term_id__in=terms)
            )
            .values_list("reviewer_id")
            .annotate(last=Max("topic__week__starts_at"))
        ]
        topics = topics.filter(recent)
        slots = slots.filter(
            Q(topic__week__starts_at__gte=start) | Q(topic__week__term_id__in=terms)
        )
    assignments = [
        Assignment(member, PRESENTER, week, term, starts_at, topic)
        for member, week, term, starts_at, topic in topics.values_list(
            "presenter_id", "week_id", "week__term_id", "week__starts_at", "pk"
        )
    ]
    assignments += [
        Assignment(member, REVIEWER, week, term, starts_at, topic)
        for member, week, term, starts_at, topic in slots.values_list(
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
    return Participation(
        members=members, assignments=earlier + assignments, unavailable=unavailable
    )


@dataclass(frozen=True)
class VolunteerSuggestion(Suggestion):
    """A presenter suggestion for a member who marked the topic's paper "I could present
    this" (`PaperInterest.Kind.PRESENT`, #13): put before everyone who did not, unless they
    already have a role that week."""

    volunteered: bool = True

    @property
    def reason(self) -> str:
        return " · ".join([_("Volunteered to present"), super().reason])


def load_volunteers(*, paper_ids: Iterable[int | None]) -> dict[int, set[int]]:
    """Who volunteered to present each paper (paper id -> member ids; one query)."""
    wanted = {pk for pk in paper_ids if pk is not None}
    volunteers: dict[int, set[int]] = defaultdict(set)
    if not wanted:
        return volunteers
    for paper_id, member_id in PaperInterest.objects.filter(
        paper_id__in=wanted, kind=PaperInterest.Kind.PRESENT
    ).values_list("paper_id", "member_id"):
        volunteers[paper_id].add(member_id)
    return volunteers


def _with_volunteers(ranked: list[Suggestion], volunteers: Collection[int]) -> list[Suggestion]:
    """Volunteers first (in their fair order), then the others; members who already have a
    role that week after both."""
    if not volunteers:
        return ranked
    marked = [
        VolunteerSuggestion(**{f.name: getattr(s, f.name) for f in fields(s)})
        if s.member.pk in volunteers
        else s
        for s in ranked
    ]
    # Stable: each group keeps the fairness order of `rank_members`.
    return sorted(marked, key=lambda s: (s.busy_this_week, not getattr(s, "volunteered", False)))


def _topic_people(topic: Topic) -> tuple[int | None, set[int]]:
    reviewers = {s.reviewer_id for s in topic.slots.all() if s.reviewer_id is not None}
    return topic.presenter_id, reviewers


def suggest_presenters(
    *,
    topic: Topic,
    participation: Participation | None = None,
    volunteers: Collection[int] | None = None,
    limit: int = SUGGESTIONS_SHOWN,
) -> list[Suggestion]:
    """The fairest presenters for the topic; none of its reviewers. Members who volunteered
    to present its paper come first, with the reason "Volunteered to present" (`volunteers`:
    their ids, loaded from the topic's paper when not given)."""
    week = topic.week
    participation = participation or load_participation(
        dates=[local_date(week.starts_at)], weeks=[week]
    )
    if volunteers is None:
        volunteers = load_volunteers(paper_ids=[topic.paper_id]).get(topic.paper_id, set())
    presenter_id, reviewers = _topic_people(topic)
    exclude = reviewers | ({presenter_id} if presenter_id else set())
    ranked = rank_members(participation=participation, role=PRESENTER, week=week, exclude=exclude)
    return _with_volunteers(ranked, volunteers)[:limit]


def suggest_reviewers(
    *,
    topic: Topic,
    participation: Participation | None = None,
    limit: int = SUGGESTIONS_SHOWN,
) -> list[Suggestion]:
    """The fairest reviewers for the topic's next open slot; never its presenter or one of
    its reviewers, nor (when the week refuses it, `seminar.conflicts`) anyone presenting in
    the week."""
    week = topic.week
    participation = participation or load_participation(
        dates=[local_date(week.starts_at)], weeks=[week]
    )
    presenter_id, reviewers = _topic_people(topic)
    exclude = reviewers | ({presenter_id} if presenter_id else set())
    if week.same_week_policy == Week.SameWeekPolicy.REFUSE:
        exclude |= {
            a.member_id for a in participation.by_week.get(week.pk, ()) if a.role == PRESENTER
        }
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
