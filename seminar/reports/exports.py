"""Exports for organizers: a term's reviews as CSV or JSON, the archive as a zip of pages.

Only submitted reviews are exported (drafts are their authors' alone). The week pages in the
zip are exactly what `manage.py export_week` prints (`reviews.pages.export_week`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from reviews import weekpage
from reviews.models import Review, ReviewSection
from reviews.pages import export_week
from reviews.selectors import weeks_with_content
from seminar.models import Term, Week

CSV_COLUMNS = [
    "term",
    "week",
    "week_date",
    "review_deadline",
    "topic",
    "topic_title",
    "arxiv_id",
    "presenter",
    "slot",
    "reviewer",
    "submitted_at",
    "late",
    "review",
]
# A spreadsheet runs a cell as a formula when its first character is one of these, and
# Excel, LibreOffice and Sheets skip leading spaces, tabs and line breaks before looking
# (OWASP "CSV Injection", ASVS 1.2.10). The full-width forms are what a Korean or Japanese
# input method types, and some spreadsheets read them as the ASCII ones.
_FORMULA_TRIGGERS = frozenset("=+-@＝＋－＠")


def term_reviews(term: Term) -> QuerySet[Review]:
    """The term's submitted reviews in page order, with everything a row needs (two
    queries)."""
    return (
        Review.objects.filter(status=Review.Status.SUBMITTED, slot__topic__week__term=term)
        .select_related(
            "author",
            "slot__reviewer",
            "slot__topic__presenter",
            "slot__topic__paper",
            "slot__topic__week__term",
        )
        .prefetch_related(Prefetch("sections", queryset=ReviewSection.objects.order_by("order")))
        .order_by("slot__topic__week__starts_at", "slot__topic__order", "slot__number")
    )


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat() if moment else ""


def review_record(review: Review) -> dict[str, Any]:
    slot = review.slot
    topic = slot.topic
    week = topic.week
    reviewer = review.author or slot.reviewer
    sections = [{"heading": s.heading, "body": s.body} for s in review.sections.all()]
    return {
        "term": week.term.name,
        "week": week.number,
        "week_date": _local(week.starts_at),
        "review_deadline": _local(week.review_deadline),
        "topic": topic.order,
        "topic_title": topic.title,
        "arxiv_id": topic.paper.arxiv_id if topic.paper else "",
        "presenter": topic.presenter.display_name if topic.presenter else "",
        "slot": slot.number,
        "reviewer": reviewer.display_name if reviewer else "",
        "submitted_at": _local(review.submitted_at),
        "late": review.is_late,
        "sections": sections,
    }


def reviews_json(term: Term) -> str:
    records = [review_record(review) for review in term_reviews(term)]
    return json.dumps({"term": term.name, "reviews": records}, ensure_ascii=False, indent=2)


def _is_skipped_before_a_formula(char: str) -> bool:
    # Whitespace (spaces, tabs, CR, LF, U+3000…), control and invisible format characters
    # (NUL, zero-width space, BOM): none of them is shown, so none of them may hide a formula.
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def spreadsheet_cell(value: Any) -> Any:
    """`value` as a cell a spreadsheet shows as text: a string whose first visible character
    starts a formula, or that starts with a tab, CR or another control character, gets a
    leading single quote. Everything else is left exactly as it is.

    The quote is visible in a plain-text reader; that is the accepted price (OWASP), and a
    markdown list item ("- point") in a review is quoted like any other "-".
    """
    if not isinstance(value, str) or not value:
        return value
    if unicodedata.category(value[0]) == "Cc":
        return "'" + value
    for char in value:
        if not _is_skipped_before_a_formula(char):
            return "'" + value if char in _FORMULA_TRIGGERS else value
    return value


def reviews_csv(term: Term) -> str:
    """One row per review; the review itself as the group writes it (numbered sections).
    Starts with a byte order mark, so spreadsheets read Korean as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for review in term_reviews(term):
        record = review_record(review)
        sections = [weekpage.ReviewSection(s["heading"], s["body"]) for s in record["sections"]]
        record["review"] = weekpage.render_review_body(sections)
        record["late"] = "yes" if record["late"] else "no"
        writer.writerow([spreadsheet_cell(record[column]) for column in CSV_COLUMNS])
    return out.getvalue()


def _safe_name(text: str) -> str:
    cleaned = re.sub(r"[^\w.-]+", "-", text, flags=re.UNICODE).strip("-.")
    return cleaned or "term"


def archive_entries() -> Iterator[tuple[str, Week, str]]:
    """(file name, week, page) for every week, oldest first; a constant number of queries."""
    weeks = weeks_with_content().order_by("starts_at")
    for week in weeks:
        name = f"{_safe_name(week.term.name)}/week-{week.number:02d}.md"
        yield name, week, export_week(week)


def archive_zip() -> bytes:
    """Every week as the group's markdown page, one folder per term."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, week, page in archive_entries():
            local = timezone.localtime(week.starts_at)
            info = zipfile.ZipInfo(name, date_time=local.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, page.encode("utf-8"))
    return buffer.getvalue()
