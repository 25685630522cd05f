"""The group's markdown week page, both ways: a week exported in exactly the group's format,
and a page (an old one from the repository, or an edit) imported into weeks, topics, slots and
reviews. The format itself is `reviews.weekpage` (pure)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from reviews import weekpage
from reviews.models import Review
from reviews.permissions import can_read_review
from reviews.services import replace_sections
from seminar.models import ReviewerSlot, Term, Topic, User, Week

# A review is a handful of sections; these bounds only stop abuse.


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
        term=term,
        number=number,
        starts_at=starts_at,
        review_deadline=review_deadline,
        recording_url=http_link(page.recording),
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
            slides_url=http_link(topic_page.slides),
            code_url=http_link(topic_page.code),
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


def http_link(value: str | None) -> str:
    """A materials link read from a page, kept only if it is an http(s) URL (else "")."""
    if not value or len(value) > 200:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return ""
    return value


def _paper_for_title(title: str):
    from papers.models import CandidatePaper

    return CandidatePaper.objects.filter(title__iexact=title.strip()).first()


def week_page_for(week: Week, *, reader=None) -> weekpage.WeekPage:
    """The week as the group's page: submitted reviews only (drafts are private); given a
    `reader`, only those they may read (`can_read_review`: the visibility rule of #15).

    Reads `week.topics.all()`, `topic.slots.all()` and `slot.review.sections.all()`, so a week
    from `reviews.selectors.weeks_with_content()` costs no further query.
    """
    topics = []
    for topic in week.topics.all():
        slots = []
        for slot in topic.slots.all():
            review = getattr(slot, "review", None) if hasattr(slot, "review") else None
            sections: tuple[weekpage.ReviewSection, ...] = ()
            if (
                review is not None
                and review.is_submitted
                and (reader is None or can_read_review(reader, review))
            ):
                sections = tuple(
                    weekpage.ReviewSection(s.heading, s.body) for s in review.sections.all()
                )
            reviewer = slot.reviewer.display_name if slot.reviewer else None
            slots.append(weekpage.ReviewSlotPage(slot.number, reviewer, sections))
        presenter = topic.presenter.display_name if topic.presenter else None
        topics.append(
            weekpage.TopicPage(
                topic.order,
                topic.title,
                presenter,
                tuple(slots),
                # Materials: absent fields write nothing, so the page is as before (#13).
                slides=topic.slides_link or None,
                code=topic.code_url or None,
            )
        )
    return weekpage.WeekPage(week.number, tuple(topics), recording=week.recording_url or None)


def export_week(week: Week, *, reader=None) -> str:
    """The week's page in exactly the group's format (as `reader` may read it, if given)."""
    return weekpage.render_week_page(week_page_for(week, reader=reader))
