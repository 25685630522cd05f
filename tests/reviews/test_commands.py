"""`import_week` and `export_week`: the group's markdown pages in and out, losslessly."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from reviews.models import Review
from seminar.models import ReviewerSlot, Topic, User, Week
from tests.factories import CandidatePaperFactory, TermFactory, UserFactory

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
SEED = SEEDS / "000_fc51c2f87046c2e4.txt"


def _import(*args: str) -> str:
    out = StringIO()
    call_command("import_week", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _export(*args: str) -> str:
    out = StringIO()
    call_command("export_week", *args, stdout=out)
    return out.getvalue()


def _without_trailing_whitespace(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def test_seed_round_trips_through_import_and_export():
    term = TermFactory(name="2025 봄")
    _import(str(SEED), "--number", "3", "--date", "2025-05-29", "--term", term.name)
    exported = _export("3", "--term", term.name)
    seed = SEED.read_text(encoding="utf-8")
    assert exported.splitlines()[0] == "# 📚 - 3주차"
    assert seed.splitlines()[0] == "# 📚 - 주차"
    assert _without_trailing_whitespace(exported)[1:] == _without_trailing_whitespace(seed)[1:]
    assert exported.endswith("---\n")


def test_import_builds_topics_people_reviews_and_open_slots():
    term = TermFactory()
    known = UserFactory(name="박민경")
    paper = CandidatePaperFactory(
        title="Absolute Zero: Reinforced Self-play Reasoning with Zero Data"
    )
    output = _import(str(SEED), "--number", "2", "--date", "2025-05-29", "--term", term.name)
    assert "3 topics, 6 slots, 2 reviews" in output
    week = Week.objects.get(term=term, number=2)
    assert week.starts_at.isoformat() == "2025-05-29T10:00:00+00:00"  # 19:00 in Seoul
    assert week.review_deadline.isoformat() == "2025-05-28T14:59:00+00:00"  # 23:59 the day before
    topics = list(Topic.objects.filter(week=week).order_by("order"))
    assert [t.paper for t in topics] == [None, paper, None]
    assert topics[0].presenter == known
    newcomer = User.objects.get(name="장재후")
    assert not newcomer.is_active  # created as an inactive placeholder
    open_slots = ReviewerSlot.objects.filter(topic__week=week, reviewer__isnull=True)
    assert open_slots.count() == 4
    reviews = Review.objects.filter(slot__topic__week=week)
    assert {r.author for r in reviews} == {known}
    assert all(r.status == "submitted" for r in reviews)


def test_import_uses_the_current_term_and_the_next_free_number():
    TermFactory(name="old", starts_on="2020-01-01")
    current = TermFactory(name="current")
    _import(str(SEED), "--date", "2025-05-29")
    _import(str(SEED))
    assert list(current.weeks.order_by("number").values_list("number", flat=True)) == [1, 2]
    second = current.weeks.get(number=2)
    assert second.starts_at.date().isoformat() == "2025-06-05"  # a week after the last one
    assert "# 📚 - 2주차" in _export("2")


def test_import_never_merges_into_an_existing_week():
    term = TermFactory()
    _import(str(SEED), "--number", "1", "--term", term.name)
    with pytest.raises(CommandError, match="already has a week 1"):
        _import(str(SEED), "--number", "1", "--term", term.name)
    assert Topic.objects.count() == 3


def test_import_reports_unplaced_text_as_warnings(tmp_path):
    TermFactory()
    page = tmp_path / "page.md"
    page.write_text("# 📚 - 4주차\n\n떠도는 문장\n\n### 주제 1: T\n- **발표자**: A\n", "utf-8")
    errors = StringIO()
    call_command("import_week", str(page), stdout=StringIO(), stderr=errors)
    assert "떠도는 문장" in errors.getvalue()
    assert Week.objects.get().number == 4  # the page's own number


def test_commands_explain_missing_terms_and_weeks():
    with pytest.raises(CommandError, match="no term"):
        _import(str(SEED))
    TermFactory(name="t")
    with pytest.raises(CommandError, match="No term named 'x'"):
        _import(str(SEED), "--term", "x")
    with pytest.raises(CommandError, match="has no week 9"):
        _export("9")
    with pytest.raises(CommandError, match="--date"):
        _import(str(SEED), "--date", "29.05.2025")
