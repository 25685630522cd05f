from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.utils import translation

from tests.support import postgres_only  # noqa: F401  (re-exported)

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
SEED_DIGESTS = sorted(SEEDS.glob("00[1-4]_*.txt"))


@pytest.fixture
def refuse_title_in_database(db):
    """A real database rule the importer knows nothing about: no title may contain a word.

    It stands in for any constraint a paper's data can break (another app's check, a trigger
    a DBA added, a column limit): the row is refused by the database itself, mid-import.
    Installed inside the test's transaction, so it disappears with it.
    """

    def install(word: str) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "ALTER TABLE papers_candidatepaper ADD CONSTRAINT test_refused_title "
                    f"CHECK (title NOT LIKE '%%{word}%%')"
                )
            else:
                cursor.execute(
                    "CREATE TRIGGER test_refused_title BEFORE INSERT ON papers_candidatepaper "
                    f"WHEN NEW.title LIKE '%{word}%' "
                    "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: test_refused_title'); END"
                )

    return install


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever translations the catalog gains later."""
    with translation.override("en"):
        yield


@pytest.fixture
def organizer(organizer):
    organizer.language = "en"  # the pages follow the member's language, not the request's
    organizer.save(update_fields=["language"])
    return organizer
