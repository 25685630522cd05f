"""Who may read and write what in a discussion, as plain predicates (views, templates and the
services ask the same ones).

Members read and write every thread they can see the target of: a topic, a candidate paper,
a submitted review they may read (`reviews.permissions.can_read_review`, so a review hidden by
the week's visibility rule hides its thread too). Signed-out visitors and inactive accounts
are never members: every predicate is False for them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from reviews.permissions import can_read_review
from seminar.models import Comment
from seminar.permissions import is_member, is_organizer

__all__ = [
    "can_answer",
    "can_ask_question",
    "can_delete_comment",
    "can_edit_comment",
    "can_hide_comment",
    "can_read_comment_body",
    "can_read_target",
    "is_member",
    "is_organizer",
]


def can_read_target(user: Any, *, topic=None, review=None, paper=None) -> bool:
    """Whether the member may read (and so join) the thread on this target."""
    if not is_member(user):
        return False
    if review is not None:
        return review.is_submitted and can_read_review(user, review)
    return topic is not None or paper is not None


def target_of(comment: Comment) -> dict[str, Any]:
    return {"topic": comment.topic, "review": comment.review, "paper": comment.paper}


def can_read_comment(user: Any, comment: Comment) -> bool:
    return can_read_target(user, **target_of(comment))


def can_read_comment_body(user: Any, comment: Comment) -> bool:
    """A hidden comment's text: organizers only (its author sees the placeholder and why)."""
    if comment.is_deleted:
        return False
    return not comment.is_hidden or is_organizer(user)


def can_ask_question(user: Any, topic, now: datetime | None = None) -> bool:
    """Questions for the presenter are filed before the meeting, not by the presenter."""
    if not is_member(user) or topic.presenter_id == user.pk:
        return False
    return (now or timezone.now()) < topic.week.starts_at


def can_edit_comment(user: Any, comment: Comment) -> bool:
    return (
        is_member(user)
        and comment.author_id == user.pk
        and not comment.is_deleted
        and not comment.is_hidden
    )


def can_delete_comment(user: Any, comment: Comment) -> bool:
    return is_member(user) and comment.author_id == user.pk and not comment.is_deleted


def can_hide_comment(user: Any, comment: Comment) -> bool:
    return is_organizer(user) and not comment.is_deleted


def can_answer(user: Any, comment: Comment) -> bool:
    """The topic's presenter (or an organizer) marks a question answered."""
    if not comment.is_question or comment.is_deleted or not is_member(user):
        return False
    return comment.topic.presenter_id == user.pk or is_organizer(user)
