"""Reads of the discussion, each page's threads in a constant number of queries: one for the
comments (with their authors), one for the reactions (counts and the reader's own, grouped),
whatever the threads hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from reviews.models import Review
from seminar.discussion import permissions
from seminar.discussion.services import unread_cache_key
from seminar.models import Comment, Notification, Reaction, ReviewerSlot, User, Week

# Questions stay on the presenter's dashboard until a day after the meeting.
QUESTIONS_AFTER_MEETING = timedelta(days=1)
UNREAD_CACHE_SECONDS = 300


@dataclass
class ReactionCount:
    kind: str
    label: str
    count: int = 0
    mine: bool = False


def empty_reactions() -> list[ReactionCount]:
    return [ReactionCount(kind, str(label)) for kind, label in Reaction.Kind.choices]


@dataclass
class Discussion:
    """The threads of one page, by target, ready for the reader."""

    by_topic: dict[int, list[Comment]] = field(default_factory=dict)
    questions_by_topic: dict[int, list[Comment]] = field(default_factory=dict)
    by_review: dict[int, list[Comment]] = field(default_factory=dict)
    by_paper: dict[int, list[Comment]] = field(default_factory=dict)
    review_reactions: dict[int, list[ReactionCount]] = field(default_factory=dict)

    def reactions_for_review(self, review: Review) -> list[ReactionCount]:
        return self.review_reactions.get(review.pk) or empty_reactions()


def _comments() -> QuerySet[Comment]:
    return Comment.objects.select_related("author", "hidden_by", "answered_by").order_by(
        "created_at", "pk"
    )


def reactions_for(
    user: Any, comment_ids: list[int], review_ids: list[int]
) -> tuple[dict[int, list[ReactionCount]], dict[int, list[ReactionCount]]]:
    """Counts and the reader's own, for these comments and reviews, in one query."""
    by_comment: dict[int, list[ReactionCount]] = {}
    by_review: dict[int, list[ReactionCount]] = {}
    if not comment_ids and not review_ids:
        return by_comment, by_review
    rows = (
        Reaction.objects.filter(Q(comment_id__in=comment_ids) | Q(review_id__in=review_ids))
        .values("comment_id", "review_id", "kind")
        .annotate(n=Count("pk"), mine=Count("pk", filter=Q(member_id=user.pk)))
        .order_by()
    )
    for row in rows:
        if row["comment_id"] is not None:
            summary = by_comment.setdefault(row["comment_id"], empty_reactions())
        else:
            summary = by_review.setdefault(row["review_id"], empty_reactions())
        for item in summary:
            if item.kind == row["kind"]:
                item.count, item.mine = row["n"], bool(row["mine"])
    return by_comment, by_review


def _prepare(comments: list[Comment], user: Any, reactions: dict[int, list[ReactionCount]]):
    """Threads (top-level comments, each with `reply_list`) and what this reader may do."""
    organizer = permissions.is_organizer(user)
    top: list[Comment] = []
    by_pk: dict[int, Comment] = {}
    for comment in comments:
        comment.reply_list = []
        comment.reaction_summary = reactions.get(comment.pk) or empty_reactions()
        comment.show_body = not comment.is_deleted and (not comment.is_hidden or organizer)
        comment.may_edit = permissions.can_edit_comment(user, comment)
        comment.may_delete = permissions.can_delete_comment(user, comment)
        comment.may_hide = organizer and not comment.is_deleted
        comment.may_react = not (comment.is_deleted or comment.is_hidden)
        by_pk[comment.pk] = comment
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id in by_pk:
            by_pk[comment.parent_id].reply_list.append(comment)
        elif comment.parent_id is None:
            top.append(comment)
    return top


def _split(top: list[Comment], attribute: str, discussion: Discussion, user: Any) -> None:
    for comment in top:
        target = getattr(comment, attribute)
        if target is None:
            continue
        if comment.is_question:
            comment.may_answer = comment.topic.presenter_id == user.pk or permissions.is_organizer(
                user
            )
            discussion.questions_by_topic.setdefault(target, []).append(comment)
        elif attribute == "topic_id":
            discussion.by_topic.setdefault(target, []).append(comment)
        elif attribute == "review_id":
            discussion.by_review.setdefault(target, []).append(comment)
        else:
            discussion.by_paper.setdefault(target, []).append(comment)


def week_discussion(week: Week, user: Any) -> Discussion:
    """Every thread of a week page (topics, questions, submitted reviews), in two queries."""
    comments = list(
        _comments()
        .select_related("topic")
        .filter(Q(topic__week=week) | Q(review__slot__topic__week=week))
    )
    review_ids = [
        slot.review.pk
        for topic in week.topics.all()
        for slot in topic.slots.all()
        if slot.current_review is not None and slot.current_review.is_submitted
    ]
    by_comment, by_review = reactions_for(user, [c.pk for c in comments], review_ids)
    top = _prepare(comments, user, by_comment)
    discussion = Discussion(review_reactions=by_review)
    _split([c for c in top if c.topic_id], "topic_id", discussion, user)
    _split([c for c in top if c.review_id], "review_id", discussion, user)
    return discussion


def review_discussion(review: Review, user: Any) -> Discussion:
    comments = list(_comments().filter(review=review))
    by_comment, by_review = reactions_for(user, [c.pk for c in comments], [review.pk])
    discussion = Discussion(review_reactions=by_review)
    _split(_prepare(comments, user, by_comment), "review_id", discussion, user)
    return discussion


def paper_discussion(paper, user: Any) -> Discussion:
    comments = list(_comments().filter(paper=paper))
    by_comment, _none = reactions_for(user, [c.pk for c in comments], [])
    discussion = Discussion()
    _split(_prepare(comments, user, by_comment), "paper_id", discussion, user)
    return discussion


def review_for_page(pk: int) -> Review | None:
    """A review with what its page and the visibility rule read, in a fixed number of
    queries."""
    return (
        Review.objects.select_related(
            "author", "slot__reviewer", "slot__topic__week__term", "slot__topic__presenter"
        )
        .prefetch_related(
            "sections",
            # The visibility rule reads the topic's other slots and their reviews.
            _topic_slots(),
        )
        .filter(pk=pk)
        .first()
    )


def _topic_slots():
    from django.db.models import Prefetch

    return Prefetch("slot__topic__slots", queryset=ReviewerSlot.objects.select_related("review"))


def questions_for_presenter(user: Any, now: datetime | None = None) -> list[Comment]:
    """Questions for the member's coming (and just past) presentations, open ones first."""
    now = now or timezone.now()
    return sorted(
        Comment.objects.filter(
            kind=Comment.Kind.QUESTION,
            topic__presenter=user,
            topic__week__starts_at__gte=now - QUESTIONS_AFTER_MEETING,
            deleted_at__isnull=True,
            hidden_at__isnull=True,
        )
        .select_related("author", "topic__week")
        .order_by("topic__week__starts_at", "created_at"),
        key=lambda c: c.answered_at is not None,
    )


def questions_by_topic(week: Week) -> dict[int, list[Comment]]:
    """The week's questions for the export (visible ones, by topic), in one query."""
    found: dict[int, list[Comment]] = {}
    for comment in (
        Comment.objects.filter(
            kind=Comment.Kind.QUESTION,
            topic__week=week,
            deleted_at__isnull=True,
            hidden_at__isnull=True,
        )
        .select_related("author")
        .order_by("created_at", "pk")
    ):
        found.setdefault(comment.topic_id, []).append(comment)
    return found


# --- notifications ----------------------------------------------------------------------------


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("actor")


def unread_count(user: User) -> int:
    """Counted (one query) and cached until the next notification or read changes it."""
    count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    cache.set(unread_cache_key(user.pk), count, UNREAD_CACHE_SECONDS)
    return count


def cached_unread_count(user: Any) -> int | None:
    """The count if the cache has it (no query: the bell is on every page), else None."""
    if not permissions.is_member(user):
        return None
    return cache.get(unread_cache_key(user.pk))


def member_suggestions(query: str, limit: int = 8) -> list[dict[str, Any]]:
    """Active members whose display name contains `query`, for the mention autocomplete."""
    query = " ".join((query or "").split())[:50]
    members = User.objects.filter(is_active=True).exclude(name="")
    if query:
        members = members.filter(name__icontains=query)
    return [
        {"id": pk, "name": name}
        for pk, name in members.order_by("name").values_list("pk", "name")[:limit]
    ]
