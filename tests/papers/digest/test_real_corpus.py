"""The parser scored on the corpus of real digests (tests/fixtures/digests/real, see SOURCES.md).

42 digests from 15 public generators, none of them a seed format, each with an expected file
checked by hand. Over the whole corpus the parser must find at least 99 % of the ids and 98 %
of the titles exactly, and invent no title (a title for an entry that has none, or a title
other than the expected one). The per-generator table is in the failure message, and
``python -m bench.corpus -v`` prints it with every miss.

Before the structural parser (issue 12): ids 165/440 (37.5 %), titles 63/438 (14.4 %),
64 invented titles, 0 spurious entries.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.corpus import digest_files, expected_of, norm_title, score_corpus, table
from papers.digest import parse_digest

REAL = Path(__file__).resolve().parents[2] / "fixtures" / "digests" / "real"
MIN_ID_RECALL = 0.99
MIN_TITLE_RECALL = 0.98


@pytest.fixture(scope="module")
def scores():
    return score_corpus(REAL)


def test_the_corpus_has_at_least_30_digests_from_10_generators() -> None:
    files = digest_files(REAL)
    generators = {expected_of(p)["generator"] for p in files}
    assert len(files) >= 30 and len(generators) >= 10


def test_the_parser_finds_the_ids_of_the_real_corpus(scores) -> None:
    total, per = scores
    assert total.id_recall >= MIN_ID_RECALL, (
        "\n" + table(total, per) + "\n" + "\n".join(d for d in total.details if "missing" in d)
    )


def test_the_parser_finds_the_titles_of_the_real_corpus(scores) -> None:
    total, per = scores
    assert total.title_recall >= MIN_TITLE_RECALL, (
        "\n" + table(total, per) + "\n" + "\n".join(total.details)
    )


def test_the_parser_invents_no_title_on_the_real_corpus(scores) -> None:
    total, per = scores
    assert total.invented == 0, (
        "\n" + table(total, per) + "\n" + "\n".join(d for d in total.details if "invented" in d)
    )


def test_the_parser_adds_no_spurious_entry_on_the_real_corpus(scores) -> None:
    total, per = scores
    assert total.spurious == 0, (
        "\n" + table(total, per) + "\n" + "\n".join(d for d in total.details if "spurious" in d)
    )


@pytest.mark.parametrize("path", digest_files(REAL), ids=lambda p: p.stem)
def test_every_expected_id_and_title_occurs_in_its_digest(path: Path) -> None:
    """The expected files themselves: every id occurs literally, every title after
    whitespace collapsing and entity decoding (SOURCES.md's conventions)."""
    text = path.read_text(encoding="utf-8")
    flat = norm_title(text)
    for entry in expected_of(path)["papers"]:
        assert entry["id"] in text
        if entry["title"] is not None:
            assert norm_title(entry["title"]) in flat or entry["title"] in text, entry


def test_an_entry_with_an_empty_paper_link_is_reported_not_lost() -> None:
    (path,) = REAL.glob("hf-daily-paper-newsletter-chinese__2025-01-08-first-version-no-links.md")
    parsed = parse_digest(path.read_bytes())
    assert parsed.papers == ()
    assert len(parsed.failures) == 15
    assert {f.reason for f in parsed.failures} == {"no-id"}
    assert all("looks like a paper but has no valid arXiv id" in e for e in parsed.errors[-15:])
    assert json.loads(json.dumps(parsed.to_dict()))["failures"][0]["reason"] == "no-id"


def test_a_header_only_digest_has_no_papers_and_no_failures() -> None:
    (path,) = REAL.glob("2shin0-arxiv-ai-mailing__LLM-2025-07-09-header-only.md")
    parsed = parse_digest(path.read_bytes())
    assert parsed.papers == () and parsed.failures == ()
    assert any(e.startswith("no papers found") for e in parsed.errors)
