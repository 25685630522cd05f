"""Members' votes for candidate papers (#13): a small weekly budget, and what a vote is worth
on the agenda as it ages.

**The voting week** is the calendar week in the group's time zone
(`seminar.meetings.group_zone`, Asia/Seoul by default): from Monday 00:00 to the next Monday
00:00 there. A vote counts against the week it was cast in, whatever day the group meets, so
every member's votes come back at the same moment (Monday, midnight in Seoul) and weeks
without a meeting (holidays, between terms) do not freeze them.

**The budget** is `settings.SEMINAR_VOTES_PER_WEEK` (env `VOTES_PER_WEEK`, default 3).
A member has one vote per paper; withdrawing it deletes it, which gives the vote back when it
was cast this week (a vote of an earlier week was paid for by that week's budget). Casting
locks the member's row, so two votes sent at the same moment are counted one after the other
and can never exceed the budget (PostgreSQL; SQLite serializes writers anyway).

**The weight** of a vote halves every `HALF_LIFE_DAYS` (14): a vote cast today counts 1, one
of two weeks ago 0.5, of four weeks ago 0.25. `vote_score` is pure (no database).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from papers.models import CandidatePaper, PaperVote
from seminar.meetings import group_zone
from seminar.models import User

HALF_LIFE_DAYS = 14.0


# --- pure rules -----------------------------------------------------------------------------


def vote_week(moment: datetime) -> tuple[datetime, datetime]:
    """The voting week `moment` falls in: Monday 00:00 and the next Monday 00:00, in the
    group's time zone (aware datetimes)."""
    zone = group_zone()
    local = timezone.localtime(moment, zone)
    monday = local.date() - timedelta(days=local.weekday())
    starts = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
    following = monday + timedelta(days=7)
    ends = datetime(following.year, following.month, following.day, tzinfo=zone)
    return starts, ends


def weekly_budget() -> int:
    return max(0, int(settings.SEMINAR_VOTES_PER_WEEK))


def check_budget(*, used: int, budget: int, resets_at: datetime) -> None:
    """Refuse one more vote when `used` of `budget` are spent, saying when they come back
    (`resets_at`, the next voting week's start)."""
    if budget <= 0:
        raise ValidationError(_("Voting is turned off for this group."), code="off")
    if used < budget:
        return
    day = timezone.localtime(resets_at, group_zone()).date()
    raise ValidationError(
        ngettext(
            "You have used your %(budget)d vote for this week. Votes come back on "
            "%(weekday)s, %(day)s (Seoul time); until then you can withdraw a vote of this "
            "week to vote for another paper.",
            "You have used your %(budget)d votes for this week. Votes come back on "
            "%(weekday)s, %(day)s (Seoul time); until then you can withdraw a vote of this "
            "week to vote for another paper.",
            budget,
        )
        % {
            "budget": budget,
            "weekday": formats.date_format(day, "l"),
            "day": formats.date_format(day, "MONTH_DAY_FORMAT"),
        },
        code="budget",
    )


def vote_weight(
    *, cast_at: datetime, now: datetime, half_life_days: float = HALF_LIFE_DAYS
) -> float:
    """What one vote is worth at `now`: 1 when fresh, halved every `half_life_days` (a vote
    from the future, clock skew, counts 1)."""
    age_days = max(0.0, (now - cast_at).total_seconds() / 86400)
    return 0.5 ** (age_days / half_life_days)


def vote_score(
    cast_times: Iterable[datetime], *, now: datetime, half_life_days: float = HALF_LIFE_DAYS
) -> float:
    """The sum of the votes' weights (`vote_weight`): what the agenda ranks papers by."""
    return sum(vote_weight(cast_at=t, now=now, half_life_days=half_life_days) for t in cast_times)


# --- reads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteStatus:
    """A member's budget this week: for "votes left this week: N"."""

    budget: int
    used: int
    resets_at: datetime

    @property
    def left(self) -> int:
        return max(0, self.budget - self.used)


def vote_status(*, member: User, now: datetime | None = None) -> VoteStatus:
    """How many of this week's votes `member` has used (one query)."""
    starts, ends = vote_week(now or timezone.now())
    used = PaperVote.objects.filter(
        member=member, created_at__gte=starts, created_at__lt=ends
    ).count()
    return VoteStatus(budget=weekly_budget(), used=used, resets_at=ends)


def member_vote(*, member: User, paper: CandidatePaper) -> PaperVote | None:
    return PaperVote.objects.filter(member=member, paper=paper).first()


# --- writes ---------------------------------------------------------------------------------


@transaction.atomic
def cast_vote(
    *, member: User, paper: CandidatePaper, now: datetime | None = None
) -> tuple[PaperVote, bool]:
    """Vote for `paper`; returns the vote and whether it is new (a second vote for the same
    paper changes nothing and costs nothing). Raises `ValidationError` when the paper is not
    in the pool (code "status"), the member is inactive ("inactive") or this week's votes are
    used ("budget", saying when they come back)."""
    now = now or timezone.now()
    # Every vote of one member passes this lock one at a time: the count below cannot be
    # read by two votes before either is written.
    locked = User.objects.select_for_update().filter(pk=member.pk, is_active=True).first()
    if locked is None:
        raise ValidationError(_("Only active members can vote."), code="inactive")
    existing = PaperVote.objects.filter(member=member, paper=paper).first()
    if existing is not None:
        return existing, False
    # The paper's row too, so it is neither scheduled, merged nor deleted under the vote.
    status = (
        CandidatePaper.objects.select_for_update(no_key=True)
        .filter(pk=paper.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status != CandidatePaper.Status.CANDIDATE:
        raise ValidationError(
            _("Only papers still in the pool can be voted for; this one is not."),
            code="status",
        )
    starts, ends = vote_week(now)
    used = PaperVote.objects.filter(
        member=member, created_at__gte=starts, created_at__lt=ends
    ).count()
    check_budget(used=used, budget=weekly_budget(), resets_at=ends)
    return PaperVote.objects.create(member=member, paper=paper, created_at=now), True


@transaction.atomic
def withdraw_vote(*, member: User, paper: CandidatePaper) -> bool:
    """Take back `member`'s vote for `paper` (any status); whether there was one. A vote cast
    this week is back in this week's budget at once."""
    User.objects.select_for_update().filter(pk=member.pk).first()
    deleted, _rows = PaperVote.objects.filter(member=member, paper=paper).delete()
    return bool(deleted)


def move_votes(*, duplicate: CandidatePaper, into: CandidatePaper) -> None:
    """Merging papers (`papers.merging`): the duplicate's votes go to `into`, except those of
    members who voted for both (their vote for `into` stays; the other goes with the
    duplicate). Call inside the merge's transaction."""
    voted = PaperVote.objects.filter(paper=into).values("member_id")
    PaperVote.objects.filter(paper=duplicate).exclude(member_id__in=voted).update(paper=into)
