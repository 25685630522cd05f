"""Template helpers for discussion (#15), registered as the `discussion` library in
settings: a page's threads read once (`week_discussion` caches them on the week), the bell's
count from the cache (never a query: the bell is on every page), and the presenter's
questions for the dashboard."""

from __future__ import annotations

from typing import Any

from django import template

from seminar.discussion import permissions, selectors

register = template.Library()


@register.simple_tag
def week_discussion(week, user) -> selectors.Discussion:
    """The week's threads for this reader, read on the first call of the page."""
    found = getattr(week, "_discussion", None)
    if found is None or found[0] != getattr(user, "pk", None):
        found = (getattr(user, "pk", None), selectors.week_discussion(week, user))
        week._discussion = found
    return found[1]


@register.simple_tag
def paper_discussion(paper, user) -> selectors.Discussion:
    return selectors.paper_discussion(paper, user)


@register.filter
def topic_comments(discussion: selectors.Discussion, topic) -> list:
    return discussion.by_topic.get(topic.pk, [])


@register.filter
def topic_questions(discussion: selectors.Discussion, topic) -> list:
    return discussion.questions_by_topic.get(topic.pk, [])


@register.filter
def review_comments(discussion: selectors.Discussion, review) -> list:
    return discussion.by_review.get(review.pk, [])


@register.filter
def review_reactions(discussion: selectors.Discussion, review) -> list:
    return discussion.reactions_for_review(review)


@register.filter
def paper_comments(discussion: selectors.Discussion, paper) -> list:
    return discussion.by_paper.get(paper.pk, [])


@register.filter
def can_ask(user: Any, topic) -> bool:
    return permissions.can_ask_question(user, topic)


@register.filter
def can_discuss_review(user: Any, review) -> bool:
    return review is not None and permissions.can_read_target(user, review=review)


@register.simple_tag
def unread_notifications(user) -> int | None:
    return selectors.cached_unread_count(user)


@register.simple_tag
def presenter_questions(user) -> list:
    return selectors.questions_for_presenter(user)


@register.simple_tag
def comment_form(prefix: str, pk: Any = "", questions: bool = False):
    """An empty comment form whose ids are unique on the page (many threads per page)."""
    from seminar.discussion.forms import CommentForm

    return CommentForm(prefix_id=f"{prefix}{pk}", questions=questions)


@register.simple_tag
def comment_media():
    """The editor's script (markdownx), once per page."""
    from seminar.discussion.forms import CommentForm

    return CommentForm().media


@register.filter
def review_hidden_for(slot, user) -> bool:
    """The slot has a submitted review the visibility rule keeps from this member (#15)."""
    from reviews.permissions import hidden_until_own_submitted

    review = slot.current_review
    if review is None or not review.is_submitted or review.author_id == getattr(user, "pk", None):
        return False
    return hidden_until_own_submitted(user, review)
