"""Writes to reviews, and moving whole weeks in and out of the group's markdown page."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from reviews import weekpage
from reviews.models import Review, ReviewSection
from seminar.models import ReviewerSlot, Term, Topic, User, Week


def find_or_create_member(*, name: str, cache: dict[str, User] | None = None) -> User:
    """The member with this display name; an inactive placeholder member if nobody has it.

    Archived pages name people who may never sign in; they still deserve their reviews.
    An organizer can later merge or activate the placeholder.
    """
    name = " ".join(name.split())
    if cache is not None and name in cache:
        return cache[name]
    user = User.objects.filter(name=name).order_by("-is_active", "pk").first()
    if user is None:
        user = User.objects.create_user(
            email=f"imported-{hashlib.sha1(name.encode()).hexdigest()[:12]}@invalid.example",
            password=None,
            name=name,
            is_active=False,
        )
    if cache is not None:
        cache[name] = user
    return user


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
    from seminar.markdown import render_markdown

    section.body_html = render_markdown(body)
    return section


@transaction.atomic
def import_week_page(
    *,
    page: weekpage.WeekPage,
    term: Term,
    number: int,
    starts_at: datetime,
    review_deadline: datetime,
) -> Week:
    """Create week `number` of `term` from a parsed page: topics, people, reviews, open slots.

    Refuses (IntegrityError) when the week already exists: importing must never silently merge
    into a week someone is editing.
    """
    week = Week.objects.create(
        term=term, number=number, starts_at=starts_at, review_deadline=review_deadline
    )
    people: dict[str, User] = {}
    for topic_page in page.topics:
        topic = Topic.objects.create(
            week=week,
            order=topic_page.number,
            title=topic_page.title,
            presenter=(
                find_or_create_member(name=topic_page.presenter, cache=people)
                if topic_page.presenter
                else None
            ),
            paper=_paper_for_title(topic_page.title),
        )
        for slot_page in topic_page.slots:
            reviewer = (
                find_or_create_member(name=slot_page.reviewer, cache=people)
                if slot_page.reviewer
                else None
            )
            slot = ReviewerSlot.objects.create(
                topic=topic, number=slot_page.number, reviewer=reviewer
            )
            if slot_page.sections:
                review = Review.objects.create(
                    slot=slot,
                    author=reviewer,
                    status=Review.Status.SUBMITTED,
                    submitted_at=min(timezone.now(), review_deadline),
                )
                replace_sections(review=review, sections=slot_page.sections)
    return week


def _paper_for_title(title: str):
    from papers.models import CandidatePaper

    return CandidatePaper.objects.filter(title__iexact=title.strip()).first()
