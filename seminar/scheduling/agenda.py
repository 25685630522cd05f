"""Next week's agenda (#13): the candidates members voted for, ranked, with who volunteered to
present them; and the organizer's one click that makes one a topic.

Ranking: by `papers.voting.vote_score` (each vote halves in weight every 14 days, so recent
votes count more), then by how many volunteered, then by how many would like to hear it, then
by the newest vote. Papers already on the programme (scheduled, presented, on a topic) or
dismissed are left out; so are papers nobody voted for or marked.

One click (`schedule_from_agenda`): the paper becomes a topic of the chosen week through
`seminar.scheduling.add_topic`. When exactly one volunteer is free that week (not away on its
date, no role in it yet) they are made its presenter in the same step; otherwise the board's
presenter suggestions put the volunteers first (`suggestions.suggest_presenters`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from papers.models import CandidatePaper, PaperInterest, PaperVote
from papers.voting import vote_score
from seminar.meetings import local_date
from seminar.models import ReviewerSlot, Topic, Unavailability, User, Week
from seminar.scheduling.topics import DEFAULT_SLOT_COUNT, add_topic

AGENDA_SIZE = 20
WEEKS_OFFERED = 12
# The board's "From the agenda" picker shows this many of the top papers.
PICKER_SIZE = 5


@dataclass
class AgendaRow:
    """One ranked candidate."""

    paper: CandidatePaper
    score: float
    vote_count: int
    volunteers: list[User]
    hear_count: int
    my_vote: bool = False
    # For the agenda's default week: volunteers away that day or with a role that week.
    busy_volunteers: set[int] = field(default_factory=set)

    @property
    def free_volunteers(self) -> list[User]:
        return [m for m in self.volunteers if m.pk not in self.busy_volunteers]


@dataclass
class WeekChoice:
    """A coming week the agenda can add to, with how full it is."""

    week: Week
    topic_count: int

    @property
    def has_room(self) -> bool:
        return self.topic_count < settings.SEMINAR_TOPICS_PER_WEEK


@dataclass
class Agenda:
    rows: list[AgendaRow]
    weeks: list[WeekChoice]
    default_week: Week | None


@dataclass(frozen=True)
class AgendaEntry:
    """What ranking needs of a paper (`rank_entries` is pure)."""

    paper_id: int
    score: float
    volunteers: int
    hear: int
    newest_vote: datetime | None


def rank_entries(entries: list[AgendaEntry]) -> list[AgendaEntry]:
    """Highest score first; then more volunteers, more "would like to hear", the newest vote,
    and the paper's id (a stable order)."""
    return sorted(
        entries,
        key=lambda e: (
            -e.score,
            -e.volunteers,
            -e.hear,
            -e.newest_vote.timestamp() if e.newest_vote else 0.0,
            -e.paper_id,
        ),
    )


# --- reads ----------------------------------------------------------------------------------


def _open_candidates() -> QuerySet[CandidatePaper]:
    """Candidates that are not on the programme (no topic links them)."""
    return CandidatePaper.objects.filter(status=CandidatePaper.Status.CANDIDATE).exclude(
        Exists(Topic.objects.filter(paper=OuterRef("pk")))
    )


def coming_weeks(*, now: datetime | None = None, limit: int = WEEKS_OFFERED) -> list[WeekChoice]:
    """Weeks not yet begun, of open terms, soonest first, each with its topic count (one
    query)."""
    now = now or timezone.now()
    weeks = (
        Week.objects.filter(starts_at__gt=now, term__closed_at__isnull=True)
        .select_related("term")
        .annotate(topic_count=Count("topics"))
        .order_by("starts_at")[:limit]
    )
    return [WeekChoice(week=week, topic_count=week.topic_count) for week in weeks]


def default_week(choices: list[WeekChoice]) -> Week | None:
    """The first coming week with room (fewer topics than `SEMINAR_TOPICS_PER_WEEK`), else the
    first coming week."""
    for choice in choices:
        if choice.has_room:
            return choice.week
    return choices[0].week if choices else None


def busy_members(*, week: Week, member_ids: set[int]) -> set[int]:
    """Of `member_ids`, those away on the week's date or with a role in it (three queries,
    none when there is nobody to ask about)."""
    if not member_ids:
        return set()
    away = Unavailability.objects.filter(
        member_id__in=member_ids, date=local_date(week.starts_at)
    ).values_list("member_id", flat=True)
    presenting = Topic.objects.filter(week=week, presenter_id__in=member_ids).values_list(
        "presenter_id", flat=True
    )
    reviewing = ReviewerSlot.objects.filter(
        topic__week=week, reviewer_id__in=member_ids
    ).values_list("reviewer_id", flat=True)
    return set(away) | set(presenting) | set(reviewing)


def ranked_candidates(
    *,
    member: User | None = None,
    now: datetime | None = None,
    limit: int = AGENDA_SIZE,
    week: Week | None = None,
) -> list[AgendaRow]:
    """The top `limit` open candidates with votes or marks, ranked (module docstring), each
    with its volunteers (active members) and, for `week`, which of them are busy then.
    Four queries, whatever the number of papers and votes (seven with `week`)."""
    now = now or timezone.now()
    open_papers = _open_candidates().values("pk")
    votes: dict[int, list[datetime]] = defaultdict(list)
    mine: set[int] = set()
    member_id = member.pk if member is not None and member.is_authenticated else None
    for paper_id, cast_at, voter in PaperVote.objects.filter(
        paper_id__in=open_papers, member__is_active=True
    ).values_list("paper_id", "created_at", "member_id"):
        votes[paper_id].append(cast_at)
        if voter == member_id:
            mine.add(paper_id)
    volunteers: dict[int, list[int]] = defaultdict(list)
    hear: dict[int, int] = defaultdict(int)
    for paper_id, kind, marker in (
        PaperInterest.objects.filter(paper_id__in=open_papers, member__is_active=True)
        .order_by("created_at", "pk")
        .values_list("paper_id", "kind", "member_id")
    ):
        if kind == PaperInterest.Kind.PRESENT:
            volunteers[paper_id].append(marker)
        else:
            hear[paper_id] += 1
    entries = [
        AgendaEntry(
            paper_id=paper_id,
            score=vote_score(votes.get(paper_id, ()), now=now),
            volunteers=len(volunteers.get(paper_id, ())),
            hear=hear.get(paper_id, 0),
            newest_vote=max(votes[paper_id]) if votes.get(paper_id) else None,
        )
        for paper_id in set(votes) | set(volunteers) | set(hear)
    ]
    top = rank_entries(entries)[:limit]
    if not top:
        return []
    papers = CandidatePaper.objects.defer("search_text", "edited_fields", "abstract").in_bulk(
        [e.paper_id for e in top]
    )
    wanted = {m for e in top for m in volunteers.get(e.paper_id, ())}
    people = User.objects.in_bulk(wanted) if wanted else {}
    busy = busy_members(week=week, member_ids=wanted) if week is not None else set()
    rows = []
    for entry in top:
        paper = papers.get(entry.paper_id)
        if paper is None:  # deleted between the queries
            continue
        rows.append(
            AgendaRow(
                paper=paper,
                score=entry.score,
                vote_count=len(votes.get(entry.paper_id, ())),
                volunteers=[people[m] for m in volunteers.get(entry.paper_id, ()) if m in people],
                hear_count=entry.hear,
                my_vote=entry.paper_id in mine,
                busy_volunteers=busy,
            )
        )
    return rows


def next_agenda(
    *, member: User | None = None, now: datetime | None = None, limit: int = AGENDA_SIZE
) -> Agenda:
    """The agenda page: ranked candidates, the coming weeks and the default one (at most
    eight queries, whatever the number of papers, votes and weeks)."""
    now = now or timezone.now()
    weeks = coming_weeks(now=now)
    week = default_week(weeks)
    rows = ranked_candidates(member=member, now=now, limit=limit, week=week)
    return Agenda(rows=rows, weeks=weeks, default_week=week)


# --- the one click --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scheduled:
    """What one click did: the topic, and the presenter it assigned (None: the volunteers
    were none, or more than one free, or none free that week)."""

    topic: Topic
    presenter: User | None
    free_volunteers: list[User]


def free_volunteers(*, paper: CandidatePaper, week: Week) -> list[User]:
    """Active members who volunteered to present `paper` and are free in `week` (not away
    on its date, no role in it yet), earliest volunteer first."""
    marks = (
        PaperInterest.objects.filter(
            paper=paper, kind=PaperInterest.Kind.PRESENT, member__is_active=True
        )
        .select_related("member")
        .order_by("created_at", "pk")
    )
    volunteers = [mark.member for mark in marks]
    busy = busy_members(week=week, member_ids={m.pk for m in volunteers})
    return [m for m in volunteers if m.pk not in busy]


@transaction.atomic
def schedule_from_agenda(
    *,
    paper: CandidatePaper,
    week: Week,
    actor: User,
    now: datetime | None = None,
    slot_count: int = DEFAULT_SLOT_COUNT,
) -> Scheduled:
    """Make `paper` a topic at the end of `week` (organizers; the view checks). Its only free
    volunteer, if there is exactly one, presents it. Raises `ValidationError` when the week
    has begun or its term is closed ("week"), or the paper is not an open candidate
    ("status": already on the programme, dismissed); nothing is written then."""
    now = now or timezone.now()
    week = Week.objects.select_for_update().select_related("term").get(pk=week.pk)
    if week.starts_at <= now:
        raise ValidationError(
            _("Week %(number)d has already taken place.") % {"number": week.number},
            code="week",
        )
    if week.term.closed_at is not None:
        raise ValidationError(
            _("Week %(number)d belongs to a closed term.") % {"number": week.number},
            code="week",
        )
    # The paper's row: a second click (or a second organizer) waits here, then finds it
    # scheduled.
    paper = CandidatePaper.objects.select_for_update().get(pk=paper.pk)
    on_programme = Topic.objects.filter(paper=paper).select_related("week").first()
    if on_programme is not None:
        raise ValidationError(
            _("“%(title)s” is already on the programme (week %(number)d).")
            % {"title": paper.title or paper.arxiv_id, "number": on_programme.week.number},
            code="status",
        )
    if paper.status != CandidatePaper.Status.CANDIDATE:
        raise ValidationError(
            _("“%(title)s” is not in the pool (%(status)s).")
            % {"title": paper.title or paper.arxiv_id, "status": paper.get_status_display()},
            code="status",
        )
    free = free_volunteers(paper=paper, week=week)
    presenter = free[0] if len(free) == 1 else None
    topic = add_topic(
        week=week, paper=paper, slot_count=slot_count, presenter=presenter, actor=actor
    )
    return Scheduled(topic=topic, presenter=presenter, free_volunteers=free)
