"""Exports: a term's reviews as CSV and JSON, the archive as a zip of week pages."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from seminar.reports import exports
from tests.factories import (
    CandidatePaperFactory,
    ReviewerSlotFactory,
    ReviewFactory,
    ReviewSectionFactory,
    TermFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)

pytestmark = pytest.mark.django_db


def _week(term, number: int, days: int):
    starts = timezone.now() - timedelta(days=days)
    return WeekFactory(
        term=term, number=number, starts_at=starts, review_deadline=starts - timedelta(hours=20)
    )


def _review(topic, reviewer, number: int, *, status="submitted", late=False, sections=()):
    slot = ReviewerSlotFactory(topic=topic, number=number, reviewer=reviewer)
    review = ReviewFactory(
        slot=slot,
        author=reviewer,
        status=status,
        submitted_at=timezone.now() if status == "submitted" else None,
        is_late=late,
    )
    for order, (heading, body) in enumerate(sections, start=1):
        ReviewSectionFactory(review=review, order=order, heading=heading, body=body)
    return review


@pytest.fixture
def term(member, other_member):
    term = TermFactory(name="2025 가을/겨울")
    week = _week(term, 1, 14)
    topic = TopicFactory(
        week=week,
        order=1,
        title="Spurious Rewards",
        presenter=member,
        paper=CandidatePaperFactory(arxiv_id="2506.10947"),
    )
    _review(topic, other_member, 1, sections=[("문제 정의", "- 보상이 무작위"), ("리뷰", "좋다")])
    _review(topic, UserFactory(name="=HYPERLINK(1)"), 2, late=True, sections=[("", "짧은 평")])
    _review(
        topic,
        UserFactory(name="초안작성자"),
        3,
        status="draft",
        sections=[("비밀", "draft-only text")],
    )
    other_term = TermFactory(name="other")
    _review(TopicFactory(week=_week(other_term, 1, 400)), member, 1, sections=[("x", "다른 학기")])
    return term


def _csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_has_the_terms_submitted_reviews_in_page_order(term, member, other_member):
    rows = _csv_rows(exports.reviews_csv(term))
    assert [(r["week"], r["topic"], r["slot"], r["reviewer"]) for r in rows] == [
        ("1", "1", "1", other_member.display_name),
        ("1", "1", "2", "'=HYPERLINK(1)"),
    ]
    first = rows[0]
    assert (first["term"], first["topic_title"], first["arxiv_id"], first["presenter"]) == (
        "2025 가을/겨울",
        "Spurious Rewards",
        "2506.10947",
        member.display_name,
    )
    # The review as the group writes it; a markdown list is left alone.
    assert first["review"] == "1. 문제 정의\n\n- 보상이 무작위\n\n2. 리뷰\n\n좋다"
    assert [r["late"] for r in rows] == ["no", "yes"]
    assert "draft-only text" not in exports.reviews_csv(term)


def test_json_has_sections_and_no_drafts(term):
    data = json.loads(exports.reviews_json(term))
    assert data["term"] == "2025 가을/겨울"
    assert [r["slot"] for r in data["reviews"]] == [1, 2]
    assert data["reviews"][0]["sections"] == [
        {"heading": "문제 정의", "body": "- 보상이 무작위"},
        {"heading": "리뷰", "body": "좋다"},
    ]
    assert data["reviews"][1]["late"] is True


def test_archive_zip_holds_every_week_exactly_as_export_week_prints_it(term):
    archive = zipfile.ZipFile(io.BytesIO(exports.archive_zip()))
    names = archive.namelist()
    assert names == ["other/week-01.md", "2025-가을-겨울/week-01.md"]
    out = StringIO()
    call_command("export_week", "1", "--term", term.name, stdout=out)
    assert archive.read("2025-가을-겨울/week-01.md").decode("utf-8") == out.getvalue()
    assert "draft-only text" not in out.getvalue()


def test_archive_queries_do_not_grow_with_weeks(term, django_assert_num_queries):
    with django_assert_num_queries(4) as few:
        exports.archive_zip()
    for number in (2, 3):
        topic = TopicFactory(week=_week(term, number, 7 - number))
        _review(topic, UserFactory(), 1, sections=[("a", "b")])
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(zipfile.ZipFile(io.BytesIO(exports.archive_zip())).namelist()) == 4


def test_export_views_answer_organizers_with_attachments(organizer_client, term):
    response = organizer_client.get(reverse("export_reviews_csv"), {"term": term.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="reviews-term-{term.pk}.csv"'
    assert len(_csv_rows(response.content.decode("utf-8"))) == 2
    response = organizer_client.get(reverse("export_reviews_json"), {"term": term.pk})
    assert len(json.loads(response.content)["reviews"]) == 2
    response = organizer_client.get(reverse("export_archive"))
    assert response["Content-Type"] == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(response.content)).namelist()) == 2


def test_exporting_reviews_needs_a_term(organizer_client):
    assert organizer_client.get(reverse("export_reviews_csv")).status_code == 404
