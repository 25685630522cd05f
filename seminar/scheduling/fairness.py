"""Fair suggestions and conflicts, computed in memory from a `Participation` snapshot."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from seminar.meetings import local_date
from seminar.models import (
    User,
    Week,
)
from seminar.scheduling.people import PRESENTER

SUGGESTIONS_SHOWN = 3
# Sorts "never had this role" before any real distance, in weeks.
_NEVER = 10**6


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
