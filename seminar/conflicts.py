"""Same-week conflicts: a member who presents in a week does not also review in it.

One rule, used by every path that gives a member a role: claiming a slot
(`reviews.services.claim_slot`), the board's reviewer assignment
(`seminar.scheduling.assign_reviewer`) and swaps (`seminar.scheduling.swaps`). Whether a
conflict is refused or only warned about is the week's `same_week_policy` (default:
`SEMINAR_SAME_WEEK_POLICY`, "refuse").

`same_week_verdict` is pure (facts in, verdict out); `same_week_conflict` loads the facts for a
member and a week; `check_same_week` raises when the week refuses.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from seminar.models import AssignmentChange, ReviewerSlot, Topic, User, Week

PRESENTER = AssignmentChange.Role.PRESENTER.value
REVIEWER = AssignmentChange.Role.REVIEWER.value
REFUSE = Week.SameWeekPolicy.REFUSE.value
WARN = Week.SameWeekPolicy.WARN.value


@dataclass(frozen=True)
class SameWeekConflict:
    """Taking `role` would give the member both roles in one week."""

    role: str  # the role being taken
    refused: bool  # True: the week refuses it; False: allowed, with a warning

    @property
    def message(self) -> str:
        if self.role == REVIEWER:
            if self.refused:
                return _("You present in this week, so you cannot also review in it.")
            return _("Note: you also present in this week.")
        if self.refused:
            return _("You review in this week, so you cannot also present in it.")
        return _("Note: you also review in this week.")

    def message_for(self, member: User, *, actor: User | None) -> str:
        """The message, naming the member when someone else (an organizer) is acting."""
        if actor is not None and actor.pk == member.pk:
            return self.message
        name = member.display_name
        if self.role == REVIEWER:
            if self.refused:
                return _("%(name)s presents in this week, so they cannot also review in it.") % {
                    "name": name
                }
            return _("Note: %(name)s also presents in this week.") % {"name": name}
        if self.refused:
            return _("%(name)s reviews in this week, so they cannot also present in it.") % {
                "name": name
            }
        return _("Note: %(name)s also reviews in this week.") % {"name": name}


def same_week_verdict(
    *, role: str, presents: bool, reviews: bool, policy: str
) -> SameWeekConflict | None:
    """Pure: does taking `role` conflict, given what the member already does in the week?"""
    if role == REVIEWER and not presents:
        return None
    if role == PRESENTER and not reviews:
        return None
    return SameWeekConflict(role=role, refused=policy != WARN)


def presents_in_week(*, member: User, week: Week) -> bool:
    return Topic.objects.filter(week=week, presenter=member).exists()


def reviews_in_week(*, member: User, week: Week) -> bool:
    return ReviewerSlot.objects.filter(topic__week=week, reviewer=member).exists()


def same_week_conflict(*, member: User, week: Week, role: str) -> SameWeekConflict | None:
    """The conflict taking `role` in `week` would make for `member`, if any."""
    if role == REVIEWER:
        presents = presents_in_week(member=member, week=week)
        return same_week_verdict(
            role=role, presents=presents, reviews=False, policy=week.same_week_policy
        )
    reviews = reviews_in_week(member=member, week=week)
    return same_week_verdict(
        role=role, presents=False, reviews=reviews, policy=week.same_week_policy
    )


def check_same_week(
    *,
    member: User,
    week: Week,
    role: str,
    actor: User | None = None,
) -> SameWeekConflict | None:
    """Raise `ValidationError` (code "same_week") if the week refuses the conflict; return
    the (warned) conflict if it allows it, None if there is none."""
    conflict = same_week_conflict(member=member, week=week, role=role)
    if conflict is not None and conflict.refused:
        raise ValidationError(conflict.message_for(member, actor=actor), code="same_week")
    return conflict


def presented_week_ids(member: User, week_ids) -> set[int]:
    """Of `week_ids`, the weeks `member` presents in (one query, for list pages)."""
    return set(
        Topic.objects.filter(week_id__in=list(week_ids), presenter=member).values_list(
            "week_id", flat=True
        )
    )
