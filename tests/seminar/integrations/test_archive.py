"""Importing the whole archive from the connected repository: a dry run first, then every week
page in date order, terms created as needed, members matched by display name."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.utils.timezone import localtime

from reviews.models import Review
from seminar.integrations import publishing
from seminar.models import PendingPublication, PublishedPage, Term, User, Week
from tests.factories import TermFactory, UserFactory
from tests.seminar.integrations.conftest import commit_fixtures

pytestmark = pytest.mark.django_db

SEED = (Path(settings.BASE_DIR) / "tests/fixtures/seeds/000_fc51c2f87046c2e4.txt").read_text(
    encoding="utf-8"
)
SMALL = """# 📚 - 주차

### 주제 1: Absolute Zero: Reinforced Self-play Reasoning with Zero Data
- **발표자**: 조재현

### 리뷰 1
- **리뷰어**: 처음보는사람

1. 리뷰

짧은 리뷰.

---
"""
BROKEN = "# 📚 - 2주차\n\n아무 데도 속하지 않는 문장\n\n### 주제 1: X\n- **발표자**: 누군가\n"


@pytest.fixture
def archive(remote):
    # Committed out of date order on purpose; the dates are the history's.
    remote.commit(
        {"weeks/2025-가을/01.md": SMALL.replace("- 주차", "- 1주차")},
        "Autumn week 1",
        when="2025-09-04T21:00:00+09:00",
    )
    remote.commit(
        {"weeks/2025-봄/01.md": SEED.replace("# 📚 - 주차", "# 📚 - 1주차")},
        "Spring week 1",
        when="2025-03-06T21:00:00+09:00",
    )
    remote.commit(
        {"weeks/2025-봄/02.md": SMALL, "weeks/2025-가을/02.md": BROKEN, "notes/todo.md": "x"},
        "Spring week 2 and a broken page",
        when="2025-03-13T21:00:00+09:00",
    )
    return remote


def test_the_dry_run_lists_what_would_be_created_and_creates_nothing(archive, connection):
    existing = TermFactory(name="2025 봄")

    plan = publishing.archive_plan(connection=connection)

    assert plan.error == ""
    rows = [
        (
            w.path,
            w.term,
            w.term_exists,
            w.number,
            f"{w.day:%Y-%m-%d}",
            w.topics,
            w.reviews,
            bool(w.skip),
        )
        for w in plan.weeks
    ]
    assert rows == [
        ("weeks/2025-봄/01.md", "2025 봄", True, 1, "2025-03-06", 3, 2, False),
        ("weeks/2025-가을/02.md", "2025-가을", False, 2, "2025-03-13", 1, 0, True),
        ("weeks/2025-봄/02.md", "2025 봄", True, 2, "2025-03-13", 1, 1, False),
        ("weeks/2025-가을/01.md", "2025-가을", False, 1, "2025-09-04", 1, 1, False),
    ]
    assert "does not read cleanly" in plan.weeks[1].skip
    assert not Week.objects.exists() and Term.objects.get() == existing


def test_importing_the_archive_creates_the_weeks_terms_and_members(archive, connection):
    TermFactory(name="2025 봄")
    known = UserFactory(name="박민경")

    plan = publishing.import_archive(connection=connection)

    assert len(plan.importable) == 3
    weeks = list(Week.objects.select_related("term").order_by("starts_at"))
    assert [(w.term.name, w.number, f"{localtime(w.starts_at):%Y-%m-%d %H:%M}") for w in weeks] == [
        ("2025 봄", 1, "2025-03-06 19:00"),
        ("2025 봄", 2, "2025-03-13 19:00"),
        ("2025-가을", 1, "2025-09-04 19:00"),
    ]
    assert Term.objects.get(name="2025-가을").starts_on.isoformat() == "2025-09-04"
    # Members are matched by display name; unknown names become inactive members.
    assert Review.objects.filter(author=known).count() == 2
    stranger = User.objects.get(name="처음보는사람")
    assert not stranger.is_active
    # Each page is remembered as published: an unchanged repository owes nothing back, and
    # the import itself publishes nothing (the pages are there already).
    assert PublishedPage.objects.count() == 3
    assert publishing.check_repository(connection_id=connection.pk) == []
    commit_fixtures()
    assert not PendingPublication.objects.exists()


def test_importing_twice_creates_nothing_more(archive, connection):
    publishing.import_archive(connection=connection)
    plan = publishing.import_archive(connection=connection)
    assert plan.importable == []
    assert Week.objects.count() == 3
    assert {w.skip for w in plan.weeks} >= {"this week exists already"}


def test_the_archive_page_previews_then_imports(archive, connection, organizer_client):
    url = f"/integrations/repositories/{connection.pk}/archive/"
    page = organizer_client.get(url).content.decode()
    assert "weeks/2025-봄/01.md" in page and "Create 3 weeks" in page
    assert not Week.objects.exists()
    assert organizer_client.post(url).status_code == 302
    assert Week.objects.count() == 3
