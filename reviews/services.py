"""Writes to reviews, and moving whole weeks in and out of the group's markdown page.

Claiming, releasing, saving and submitting are keyword-only functions that raise
`ValidationError` with a message meant for the member (and a `code` for callers). Each runs in
one transaction and re-checks its rules there, on rows it has locked or changes conditionally,
so two requests racing each other cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from reviews import weekpage
from reviews.models import Review, ReviewSection
from reviews.permissions import can_write_review_for
from seminar.conflicts import REVIEWER, check_same_week
from seminar.models import ReviewerSlot, User, Week
from seminar.services import record_assignment_change

# A review is a handful of sections; these bounds only stop abuse.
MAX_SECTIONS = 30
MAX_BODY_CHARS = 50_000


def replace_sections(*, review: Review, sections: Sequence[weekpage.ReviewSection]) -> None:
    """Make the review's sections exactly these, numbered 1..N in order."""
    review.sections.all().delete()
    ReviewSection.objects.bulk_create(
        [
            _section(review=review, order=order, heading=s.heading, body=s.body)
            for order, s in enumerate(sections, start=1)
        ]
    )


def _section(*, review: Review, order: int, heading: str, body: str) -> ReviewSection:
    section = ReviewSection(review=review, order=order, heading=heading, body=body)
    # bulk_create skips save(), which renders the markdown; do it here instead.
    from seminar.lib.markdown import render_markdown

    section.body_html = render_markdown(body)
    return section


# --- reviewer slots -----------------------------------------------------------------------


def _locked_slot(slot: ReviewerSlot) -> ReviewerSlot:
    """The slot re-read with its row locked until the transaction ends (a no-op on SQLite,
    which serializes writers anyway)."""
    return (
        ReviewerSlot.objects.select_for_update(of=("self",))
        .select_related("topic__week", "reviewer")
        .get(pk=slot.pk)
    )


@transaction.atomic
def claim_slot(
    *, slot: ReviewerSlot, member: User, actor: User | None = None, now: datetime | None = None
) -> ReviewerSlot:
    """Make `member` the reviewer of the open `slot`.

    The slot is taken by a conditional UPDATE (`... WHERE reviewer_id IS NULL`): of two members
    claiming at once, the database lets exactly one through and the other gets a
    ValidationError with code "taken". The constraint one-slot-per-member-per-topic stops one
    member from taking two slots of a topic in two quick requests.
    """
    now = now or timezone.now()
    slot = ReviewerSlot.objects.select_related("topic__week", "reviewer").get(pk=slot.pk)
    topic = slot.topic
    if slot.reviewer_id == member.pk:
        return slot  # a double click: it is theirs already
    if slot.reviewer_id is not None:
        raise ValidationError(
            _("%(name)s has already taken this slot.") % {"name": slot.reviewer.display_name},
            code="taken",
        )
    if now > topic.week.review_deadline:
        raise ValidationError(
            _("The review deadline of this week has passed; slots can no longer be taken."),
            code="deadline",
        )
    if topic.presenter_id == member.pk:
        raise ValidationError(
            _("You present this topic, so you cannot review it."), code="presenter"
        )
    # Presenting in the same week: refused, or allowed with a warning (the week's policy).
    check_same_week(member=member, week=topic.week, role=REVIEWER, actor=member)
    if Review.objects.filter(slot=slot).exists():
        raise ValidationError(_("This slot already has a review."), code="has_review")
    if ReviewerSlot.objects.filter(topic=topic, reviewer=member).exists():
        raise ValidationError(
            _("You already review this topic in another slot."), code="one_per_topic"
        )
    try:
        with transaction.atomic():
            taken = ReviewerSlot.objects.filter(pk=slot.pk, reviewer__isnull=True).update(
                reviewer=member
            )
    except IntegrityError as error:  # the same member, claiming a second slot concurrently
        raise ValidationError(
            _("You already review this topic in another slot."), code="one_per_topic"
        ) from error
    if not taken:
        winner = ReviewerSlot.objects.select_related("reviewer").get(pk=slot.pk).reviewer
        raise ValidationError(
            _("Sorry, %(name)s took this slot just before you.")
            % {"name": winner.display_name if winner else _("someone else")},
            code="taken",
        )
    slot.reviewer = member
    record_assignment_change(
        topic=topic, member=member, role="reviewer", assigned=True, actor=actor or member
    )
    return slot


@transaction.atomic
def release_slot(
    *, slot: ReviewerSlot, member: User, actor: User | None = None, now: datetime | None = None
) -> ReviewerSlot:
    """Give the slot back before the deadline. A draft written for it is discarded (the page
    asks first); a submitted review cannot be released."""
    now = now or timezone.now()
    slot = _locked_slot(slot)
    if slot.reviewer_id != member.pk:
        raise ValidationError(_("This slot is not yours."), code="not_yours")
    if now > slot.topic.week.review_deadline:
        raise ValidationError(
            _("The review deadline has passed; ask an organizer to change reviewers."),
            code="deadline",
        )
    review = slot.current_review
    if review is not None and review.is_submitted:
        raise ValidationError(
            _("You submitted a review for this slot, so it can no longer be released."),
            code="submitted",
        )
    if review is not None:
        review.delete()
    slot.reviewer = None
    slot.save(update_fields=["reviewer"])
    record_assignment_change(
        topic=slot.topic, member=member, role="reviewer", assigned=False, actor=actor or member
    )
    return slot


# --- writing reviews ----------------------------------------------------------------------


# A new review's sections when the member has no habit yet and the group set none
# (`SEMINAR_DEFAULT_REVIEW_HEADINGS`): in the language of whoever opens the editor.
DEFAULT_HEADINGS = (
    pgettext_lazy("review section heading", "Problem"),
    pgettext_lazy("review section heading", "Method"),
    pgettext_lazy("review section heading", "Review"),
)


def headings_for_new_review(*, member: User | None) -> list[str]:
    """The headings a member's new review starts with: their habit from earlier reviews if
    they have one, else the group's default (`SEMINAR_DEFAULT_REVIEW_HEADINGS`), else the
    built-in three in the active language ("문제 정의, 해결 방법, 리뷰" in Korean)."""
    previous: list[list[str]] = []
    if member is not None:
        recent = (
            Review.objects.filter(author=member, status=Review.Status.SUBMITTED)
            .order_by("-submitted_at")
            .prefetch_related("sections")[:5]
        )
        previous = [[s.heading for s in review.sections.all()] for review in recent]
    headings = weekpage.headings_for_new_review(previous)
    if headings is weekpage.DEFAULT_HEADINGS:
        configured = list(settings.SEMINAR_DEFAULT_REVIEW_HEADINGS)
        return configured or [str(heading) for heading in DEFAULT_HEADINGS]
    return list(headings)


def version_of(review: Review | None) -> str:
    """A token that changes whenever the review is saved: the editor sends back the one it
    loaded, so a save from a stale window (another tab) is noticed instead of overwriting."""
    return "" if review is None else review.updated_at.isoformat()


def _trim_blank_lines(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(line.rstrip() for line in lines)


def clean_sections(
    sections: Iterable[weekpage.ReviewSection], *, for_submission: bool
) -> list[weekpage.ReviewSection]:
    """Normalize what the editor sent; refuse what cannot be saved (or submitted)."""
    cleaned = [
        weekpage.ReviewSection(" ".join(s.heading.split()), _trim_blank_lines(s.body))
        for s in sections
    ]
    if len(cleaned) > MAX_SECTIONS:
        raise ValidationError(
            _("A review has at most %(count)d sections.") % {"count": MAX_SECTIONS},
            code="too_many",
        )
    if any(len(s.body) > MAX_BODY_CHARS for s in cleaned):
        raise ValidationError(
            _("A section is limited to %(count)d characters.") % {"count": MAX_BODY_CHARS},
            code="too_long",
        )
    if not for_submission:
        return cleaned
    cleaned = [s for s in cleaned if s.heading or s.body]
    if not any(s.body for s in cleaned):
        raise ValidationError(_("Write something before submitting."), code="empty")
    # Text before the first heading is fine (imported reviews have it); later sections need a
    # heading, or the group's page would run them into the section above.
    for number, section in enumerate(cleaned[1:], start=2):
        if not section.heading:
            raise ValidationError(
                _("Section %(number)d needs a heading.") % {"number": number},
                code="heading_missing",
            )
    return cleaned


def _write_review(
    *,
    slot: ReviewerSlot,
    sections: Sequence[weekpage.ReviewSection],
    actor: User,
    submit: bool,
    version: str | None,
    now: datetime | None,
) -> Review:
    now = now or timezone.now()
    slot = _locked_slot(slot)
    if not can_write_review_for(actor, slot):
        raise PermissionDenied
    week = slot.topic.week
    review = slot.current_review
    late = now > week.review_deadline
    if late and review is not None and review.is_submitted:
        raise ValidationError(
            _("The review deadline has passed: a submitted review can no longer be changed."),
            code="deadline",
        )
    if late and week.late_policy == Week.LatePolicy.REFUSE:
        raise ValidationError(
            _("The review deadline has passed and this week does not accept late reviews."),
            code="deadline",
        )
    if not submit and review is not None and review.is_submitted:
        raise ValidationError(
            _("This review is already submitted; press Update to change it."), code="submitted"
        )
    if version is not None and version != version_of(review):
        raise ValidationError(
            _(
                "This review was changed in another window since you opened it. "
                "Save again to replace that version with the text below."
            ),
            code="conflict",
        )
    cleaned = clean_sections(sections, for_submission=submit)
    if review is None:
        review = Review(slot=slot, author=slot.reviewer, created_at=now)
    if submit and not review.is_submitted:
        review.status = Review.Status.SUBMITTED
        review.submitted_at = now
        review.is_late = late
    review.save()
    replace_sections(review=review, sections=cleaned)
    return review


@transaction.atomic
def save_draft(
    *,
    slot: ReviewerSlot,
    sections: Sequence[weekpage.ReviewSection],
    actor: User,
    version: str | None = None,
    now: datetime | None = None,
) -> Review:
    """Store the sections as the slot's draft (creating it), visible to its author only.

    `version` is what `version_of` gave when the editor loaded; None skips the check.
    """
    return _write_review(
        slot=slot, sections=sections, actor=actor, submit=False, version=version, now=now
    )


@transaction.atomic
def submit_review(
    *,
    slot: ReviewerSlot,
    sections: Sequence[weekpage.ReviewSection],
    actor: User,
    version: str | None = None,
    now: datetime | None = None,
) -> Review:
    """Publish the review to the group, or update a submitted one before the deadline.

    After the deadline a first submission is accepted and marked late, or refused, as the
    week's `late_policy` says; a review submitted on time is then final.
    """
    review = _write_review(
        slot=slot, sections=sections, actor=actor, submit=True, version=version, now=now
    )
    _announce_submitted(review)
    return review


def _announce_submitted(review: Review) -> None:
    """Once the submission commits: `week_changed` (integrations publish the week's page)."""
    from seminar.signals import week_changed

    author = review.slot.reviewer  # loaded with the locked slot: no query here
    info = {
        "week_id": review.slot.topic.week_id,
        "reason": "review",
        "member_id": author.pk if author else None,
        "member_name": author.display_name if author else "",
        "review_id": review.pk,
    }
    transaction.on_commit(lambda: week_changed.send(sender=Review, **info), robust=True)
