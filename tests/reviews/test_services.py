from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reviews import pages, services
from reviews.models import Review
from reviews.weekpage import ReviewSection
from seminar.models import AssignmentChange, ReviewerSlot, Week
from tests.factories import (
    ReviewerSlotFactory,
    ReviewFactory,
    ReviewSectionFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

THREE = [
    ReviewSection("문제 정의", "무엇이 문제인가"),
    ReviewSection("해결 방법", "$x^2$ 로 푼다"),
    ReviewSection("리뷰", "좋다"),
]


def _after_deadline(slot: ReviewerSlot, minutes: int = 1):
    return slot.topic.week.review_deadline + timedelta(minutes=minutes)


# --- claiming and releasing ----------------------------------------------------------------


def test_claim_slot_makes_the_member_reviewer_and_records_the_change(member):
    slot = ReviewerSlotFactory()
    services.claim_slot(slot=slot, member=member, actor=member)
    slot.refresh_from_db()
    assert slot.reviewer == member
    change = AssignmentChange.objects.get()
    assert (change.member, change.topic, change.role, change.assigned, change.actor) == (
        member,
        slot.topic,
        "reviewer",
        True,
        member,
    )


def test_claim_slot_taken_by_someone_else_is_refused_by_name(member, other_member):
    slot = ReviewerSlotFactory(reviewer=other_member)
    with pytest.raises(ValidationError) as error:
        services.claim_slot(slot=slot, member=member, actor=member)
    assert error.value.code == "taken"
    assert other_member.display_name in error.value.messages[0]
    slot.refresh_from_db()
    assert slot.reviewer == other_member
    assert not AssignmentChange.objects.exists()


def test_claim_slot_twice_by_the_same_member_is_harmless(member):
    slot = ReviewerSlotFactory()
    services.claim_slot(slot=slot, member=member, actor=member)
    services.claim_slot(slot=slot, member=member, actor=member)
    assert AssignmentChange.objects.count() == 1


def test_claim_slot_refuses_a_second_slot_on_the_same_topic(member):
    first = ReviewerSlotFactory(number=1)
    second = ReviewerSlotFactory(topic=first.topic, number=2)
    services.claim_slot(slot=first, member=member, actor=member)
    with pytest.raises(ValidationError) as error:
        services.claim_slot(slot=second, member=member, actor=member)
    assert error.value.code == "one_per_topic"
    second.refresh_from_db()
    assert second.reviewer is None


def test_claim_slot_refuses_the_presenter(member):
    slot = ReviewerSlotFactory(topic__presenter=member)
    with pytest.raises(ValidationError) as error:
        services.claim_slot(slot=slot, member=member, actor=member)
    assert error.value.code == "presenter"


def test_claim_slot_refuses_after_the_deadline(member):
    slot = ReviewerSlotFactory()
    with pytest.raises(ValidationError) as error:
        services.claim_slot(slot=slot, member=member, actor=member, now=_after_deadline(slot))
    assert error.value.code == "deadline"


def test_claim_slot_refuses_a_slot_that_holds_an_imported_review(member):
    review = ReviewFactory(
        slot__reviewer=None, author=None, status="submitted", submitted_at="2025-01-01T00:00:00Z"
    )
    with pytest.raises(ValidationError) as error:
        services.claim_slot(slot=review.slot, member=member, actor=member)
    assert error.value.code == "has_review"


def test_release_slot_frees_it_discards_the_draft_and_records_the_change(member):
    slot = ReviewerSlotFactory(reviewer=member)
    services.save_draft(slot=slot, sections=THREE, actor=member)
    services.release_slot(slot=slot, member=member, actor=member)
    slot.refresh_from_db()
    assert slot.reviewer is None
    assert not Review.objects.filter(slot=slot).exists()
    change = AssignmentChange.objects.get()
    assert (change.member, change.assigned) == (member, False)


def test_release_slot_refuses_a_submitted_review(member):
    slot = ReviewerSlotFactory(reviewer=member)
    services.submit_review(slot=slot, sections=THREE, actor=member)
    with pytest.raises(ValidationError) as error:
        services.release_slot(slot=slot, member=member, actor=member)
    assert error.value.code == "submitted"
    slot.refresh_from_db()
    assert slot.reviewer == member


def test_release_slot_refuses_after_the_deadline_and_other_peoples_slots(member, other_member):
    slot = ReviewerSlotFactory(reviewer=member)
    with pytest.raises(ValidationError) as error:
        services.release_slot(slot=slot, member=member, actor=member, now=_after_deadline(slot))
    assert error.value.code == "deadline"
    with pytest.raises(ValidationError) as error:
        services.release_slot(slot=slot, member=other_member, actor=other_member)
    assert error.value.code == "not_yours"
    slot.refresh_from_db()
    assert slot.reviewer == member


# --- drafts and submissions ----------------------------------------------------------------


def test_save_draft_creates_a_private_draft_with_numbered_sections(member):
    slot = ReviewerSlotFactory(reviewer=member)
    review = services.save_draft(slot=slot, sections=THREE, actor=member)
    assert (review.status, review.author, review.submitted_at) == ("draft", member, None)
    sections = list(review.sections.order_by("order"))
    assert [(s.order, s.heading) for s in sections] == [
        (1, "문제 정의"),
        (2, "해결 방법"),
        (3, "리뷰"),
    ]
    assert '<span class="math">$x^2$</span>' in sections[1].body_html


def test_save_draft_normalizes_line_endings_and_blank_lines(member):
    slot = ReviewerSlotFactory(reviewer=member)
    review = services.save_draft(
        slot=slot,
        sections=[ReviewSection("  리뷰  ", "\r\n\r\nfirst  \r\nsecond\r\n\r\n")],
        actor=member,
    )
    section = review.sections.get()
    assert (section.heading, section.body) == ("리뷰", "first\nsecond")


def test_save_draft_keeps_empty_sections_but_submit_drops_them(member):
    slot = ReviewerSlotFactory(reviewer=member)
    sections = [*THREE, ReviewSection("", "")]
    assert services.save_draft(slot=slot, sections=sections, actor=member).sections.count() == 4
    assert services.submit_review(slot=slot, sections=sections, actor=member).sections.count() == 3


def test_submit_review_publishes_it_on_time(member):
    slot = ReviewerSlotFactory(reviewer=member)
    review = services.submit_review(slot=slot, sections=THREE, actor=member)
    assert (review.status, review.is_late) == ("submitted", False)
    assert review.submitted_at is not None


def test_submit_review_refuses_an_empty_review(member):
    slot = ReviewerSlotFactory(reviewer=member)
    with pytest.raises(ValidationError) as error:
        services.submit_review(slot=slot, sections=[ReviewSection("리뷰", "  \n ")], actor=member)
    assert error.value.code == "empty"
    assert not Review.objects.exists()


def test_submit_review_needs_headings_after_the_first_section(member):
    slot = ReviewerSlotFactory(reviewer=member)
    with pytest.raises(ValidationError) as error:
        services.submit_review(
            slot=slot,
            sections=[ReviewSection("", "머리말"), ReviewSection("", "제목 없는 본문")],
            actor=member,
        )
    assert error.value.code == "heading_missing"


def test_submitted_review_can_be_edited_until_the_deadline(member):
    slot = ReviewerSlotFactory(reviewer=member)
    first = services.submit_review(slot=slot, sections=THREE, actor=member)
    submitted_at = first.submitted_at
    review = services.submit_review(
        slot=slot, sections=[ReviewSection("리뷰", "고쳤다")], actor=member
    )
    assert review.pk == first.pk
    assert review.submitted_at == submitted_at
    assert [s.body for s in review.sections.all()] == ["고쳤다"]


def test_submitted_review_is_final_after_the_deadline(member):
    slot = ReviewerSlotFactory(reviewer=member)
    services.submit_review(slot=slot, sections=THREE, actor=member)
    with pytest.raises(ValidationError) as error:
        services.submit_review(
            slot=slot,
            sections=[ReviewSection("리뷰", "늦은 수정")],
            actor=member,
            now=_after_deadline(slot),
        )
    assert error.value.code == "deadline"
    assert Review.objects.get().sections.count() == 3


def test_late_submission_is_marked_late_when_the_week_accepts_it(member):
    slot = ReviewerSlotFactory(reviewer=member, topic__week__late_policy=Week.LatePolicy.MARK_LATE)
    services.save_draft(slot=slot, sections=THREE, actor=member, now=_after_deadline(slot))
    review = services.submit_review(
        slot=slot, sections=THREE, actor=member, now=_after_deadline(slot, 90)
    )
    assert (review.status, review.is_late) == ("submitted", True)


def test_late_submission_is_refused_when_the_week_refuses_it(member):
    slot = ReviewerSlotFactory(reviewer=member, topic__week__late_policy=Week.LatePolicy.REFUSE)
    with pytest.raises(ValidationError) as error:
        services.submit_review(slot=slot, sections=THREE, actor=member, now=_after_deadline(slot))
    assert error.value.code == "deadline"
    with pytest.raises(ValidationError):
        services.save_draft(slot=slot, sections=THREE, actor=member, now=_after_deadline(slot))
    assert not Review.objects.exists()


def test_save_draft_on_a_submitted_review_is_refused(member):
    slot = ReviewerSlotFactory(reviewer=member)
    services.submit_review(slot=slot, sections=THREE, actor=member)
    with pytest.raises(ValidationError) as error:
        services.save_draft(slot=slot, sections=[ReviewSection("x", "y")], actor=member)
    assert error.value.code == "submitted"
    assert Review.objects.get().status == "submitted"


def test_save_from_a_stale_window_is_a_conflict(member):
    slot = ReviewerSlotFactory(reviewer=member)
    loaded = services.version_of(None)
    saved = services.save_draft(slot=slot, sections=THREE, actor=member, version=loaded)
    with pytest.raises(ValidationError) as error:
        services.save_draft(
            slot=slot, sections=[ReviewSection("x", "stale")], actor=member, version=loaded
        )
    assert error.value.code == "conflict"
    services.save_draft(
        slot=slot,
        sections=[ReviewSection("x", "fresh")],
        actor=member,
        version=services.version_of(saved),
    )
    assert Review.objects.get().sections.get().body == "fresh"


def test_only_the_reviewer_or_an_organizer_may_write(member, other_member, organizer):
    slot = ReviewerSlotFactory(reviewer=member)
    with pytest.raises(PermissionDenied):
        services.save_draft(slot=slot, sections=THREE, actor=other_member)
    review = services.save_draft(slot=slot, sections=THREE, actor=organizer)
    assert review.author == member  # the organizer edits the reviewer's review


# --- new reviews' headings -----------------------------------------------------------------


def test_new_review_headings_come_from_the_setting(settings, member):
    settings.SEMINAR_DEFAULT_REVIEW_HEADINGS = ["Problem", "Method", "Review"]
    assert services.headings_for_new_review(member=member) == ["Problem", "Method", "Review"]


def test_new_review_headings_follow_the_members_habit(member):
    for _ in range(2):
        review = ReviewFactory(
            slot__reviewer=member,
            author=member,
            status="submitted",
            submitted_at="2025-01-01T00:00:00Z",
        )
        ReviewSectionFactory(review=review, order=1, heading="문제의식")
        ReviewSectionFactory(review=review, order=2, heading="리뷰")
    assert services.headings_for_new_review(member=member) == ["문제의식", "리뷰"]


# --- export ---------------------------------------------------------------------------------


def test_export_week_writes_submitted_reviews_and_hides_drafts(member, other_member):
    topic = TopicFactory(order=1, title="Paper A", presenter=UserFactory(name="발표자"))
    done = ReviewerSlotFactory(topic=topic, number=1, reviewer=member)
    draft = ReviewerSlotFactory(topic=topic, number=2, reviewer=other_member)
    ReviewerSlotFactory(topic=topic, number=3)
    services.submit_review(slot=done, sections=THREE[:1], actor=member)
    services.save_draft(slot=draft, sections=[ReviewSection("비밀", "초안")], actor=other_member)
    text = pages.export_week(topic.week)
    assert text == (
        f"# 📚 - {topic.week.number}주차\n\n"
        "### 주제 1: Paper A\n- **발표자**: 발표자\n\n"
        f"### 리뷰 1\n- **리뷰어**: {member.name}\n\n1. 문제 정의\n\n무엇이 문제인가\n\n---\n\n"
        f"### 리뷰 2\n- **리뷰어**: {other_member.name}\n(내용)\n\n---\n\n"
        "### 리뷰 3\n- **리뷰어**: \n(내용)\n\n---\n"
    )
