"""Searching the candidate pool: the search text, the selector, the importer, search.json."""

from __future__ import annotations

import importlib
import unicodedata
from datetime import date
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from papers import selectors
from papers.models import CandidatePaper
from papers.search import build_search_text, normalize, search_form, search_query
from papers.selectors import PoolFilters, pool_page
from papers.services import import_digest_text
from tests.factories import CandidatePaperFactory, DigestFactory, PaperSummaryFactory

SEARCH_JSON = "/papers/search.json"


def _digest_text(day: str, arxiv_id: str, title: str, body: str) -> str:
    """A one-paper digest in the group's usual layout (format A)."""
    return (
        f"# 📰 Hugging Face Daily Papers – {day}\n\n## {arxiv_id}\n"
        f"🔗 https://huggingface.co/papers/{arxiv_id}\n\n**Summary**:\n```markdown\n"
        f'# 논문 요약: "{title}"\n\n## 1. 핵심 동기와 문제 정의\n\n{body}\n```\n\n---\n'
    )


def _found(query: str, **filters) -> list[str]:
    page = pool_page(PoolFilters(query=query, **filters))
    return [paper.arxiv_id for paper in page.object_list]


# --- pure helpers ---------------------------------------------------------------------------


def test_search_text_is_normalized_and_doubled():
    text = build_search_text(
        arxiv_id="2505.1",
        title="Deep **RL** for Agents",
        authors="Kim, Lee",
        summaries=[[{"heading": "요약", "body": "환각을\x00 줄입니다"}]],
    )
    assert "\x00" not in text
    assert "*" not in text
    assert search_form("rl") in text
    assert search_form("환각") in text
    assert search_form(normalize("AGENTS")) in text
    # Doubling keeps substring tests exact: "lr" is not in the text, nor "각환".
    assert search_form("lr") not in text
    assert search_form("각환") not in text


def test_search_text_keeps_a_repeated_summary_once_and_is_capped():
    sections = [{"heading": "요약", "body": "같은 내용 " * 10}]
    once = build_search_text(arxiv_id="1", title="t", authors="", summaries=[sections])
    twice = build_search_text(arxiv_id="1", title="t", authors="", summaries=[sections, sections])
    assert once == twice
    huge = build_search_text(arxiv_id="1", title="t", authors="a " * 50_000)
    assert len(huge) <= 2 * 20_000


def test_decomposed_hangul_and_full_width_letters_match_their_usual_form():
    decomposed = unicodedata.normalize("NFD", "환각")  # as some editors save it
    assert len(decomposed) == 6
    text = build_search_text(arxiv_id="1", title=f"{decomposed} ＬＬＭ", authors="")
    assert search_form("환각") in text
    assert search_form("llm") in text


def test_a_query_is_words_or_quoted_phrases_widened_by_the_glossary():
    groups = search_query('  강화   학습 "Reasoning  Model" 강화 ').groups
    assert [group.forms for group in groups] == [
        ("강화학습", "reinforcement learning"),  # Hangul typed together is one word
        ("reasoning model",),
        ("강화",),
    ]
    quoted_apart = search_query('"강화" "학습"').groups
    assert [group.forms for group in quoted_apart] == [("강화",), ("학습",)]
    assert not search_query("")
    assert not search_query('"" **')
    assert len(search_query(" ".join(f"w{n}" for n in range(20))).groups) == 8


# --- the selector, on the configured database (PostgreSQL or SQLite) ------------------------


@pytest.mark.django_db
def test_a_korean_substring_inside_a_summary_is_found():
    paper = CandidatePaperFactory(arxiv_id="2505.00001", title="Agents")
    PaperSummaryFactory(
        paper=paper,
        sections=[{"heading": "방법", "body": "심층 **강화 학습**을 적용하고 환각을 줄입니다."}],
    )
    CandidatePaperFactory(arxiv_id="2505.00002", title="Something else")
    assert _found("강화 학습") == ["2505.00001"]
    assert _found("강화학습") == ["2505.00001"]  # spaced or not, the same word
    assert _found("환각") == ["2505.00001"]
    assert _found("학습 강화") == []  # Korean typed together is one word: "학습강화"
    assert _found('"학습" "강화"') == ["2505.00001"]  # quoted apart: each, in any order


@pytest.mark.django_db
def test_english_search_ignores_case_and_finds_short_terms():
    CandidatePaperFactory(arxiv_id="2505.00001", title="Scaling Diffusion Transformers")
    paper = CandidatePaperFactory(arxiv_id="2505.00002", title="Agents", authors="Jiwon KIM")
    PaperSummaryFactory(paper=paper, sections=[{"heading": "Method", "body": "We use RL."}])
    assert _found("DIFFUSION transformer") == ["2505.00001"]
    assert _found("rl") == ["2505.00002"]
    assert _found("kim") == ["2505.00002"]
    assert _found("2505.00002") == ["2505.00002"]


@pytest.mark.django_db
def test_like_wildcards_in_a_query_are_plain_characters():
    CandidatePaperFactory(arxiv_id="2505.00001", title="Accuracy of 100% on toy tasks")
    CandidatePaperFactory(arxiv_id="2505.00002", title="A 100 page report")
    CandidatePaperFactory(arxiv_id="2505.00003", title="snake_case names")
    assert _found("100%") == ["2505.00001"]
    assert _found("e_c") == ["2505.00003"]


@pytest.mark.django_db
def test_saving_and_deleting_summaries_keeps_the_search_text_current():
    paper = CandidatePaperFactory(arxiv_id="2505.00001", title="Agents")
    summary = PaperSummaryFactory(paper=paper, sections=[{"heading": "요약", "body": "환각"}])
    assert _found("환각") == ["2505.00001"]
    summary.sections = [{"heading": "요약", "body": "양자화"}]
    summary.save()
    assert (_found("환각"), _found("양자화")) == ([], ["2505.00001"])
    paper.title = "Renamed by an organizer"
    paper.save()
    assert _found("renamed") == _found("양자화") == ["2505.00001"]
    summary.delete()
    assert _found("양자화") == []


@pytest.mark.django_db
def test_the_importer_writes_every_summary_into_the_search_text():
    first = import_digest_text(
        text=_digest_text("2025-05-26", "2505.17612", "Tool Agents", "모델의 **환각** 문제"),
        origin="a.md",
    )
    assert (first.status, first.papers_new) == ("done", 1)
    assert _found("환각") == ["2505.17612"]
    second = import_digest_text(
        text=_digest_text("2025-05-27", "2505.17612", "Tool Agents", "강화 학습으로 해결"),
        origin="b.md",
    )
    assert (second.status, second.papers_updated) == ("done", 1)
    # Both digests' summaries are searched, and the title too.
    assert _found("환각 강화") == ["2505.17612"]
    assert _found("tool agents") == ["2505.17612"]
    paper = CandidatePaper.objects.get()
    assert paper.search_text == paper.compute_search_text()


@pytest.mark.django_db
def test_reimporting_a_known_paper_with_nothing_new_leaves_it_unchanged():
    text = _digest_text("2025-05-26", "2505.17612", "Tool Agents", "환각 문제")
    import_digest_text(text=text, origin="a.md")
    before = CandidatePaper.objects.values_list("search_text", "updated_at").get()
    # The same day's digest again, with one more paper: the known one is said the same.
    other = _digest_text("2025-05-26", "2505.20000", "Other", "다른 논문").split("\n\n", 1)[1]
    again = import_digest_text(text=text + "\n" + other, origin="b")
    assert (again.papers_new, again.papers_unchanged, again.papers_updated) == (1, 1, 0)
    known = CandidatePaper.objects.filter(arxiv_id="2505.17612")
    assert known.values_list("search_text", "updated_at").get() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["0005_candidate_pool", "0010_search_ranking"])
def test_the_migration_fills_in_the_search_text_of_existing_papers(name):
    migration = importlib.import_module(f"papers.migrations.{name}")
    latest = name == "0010_search_ranking"  # 0005 wrote the layout before titles came first
    paper = CandidatePaperFactory(title="Tool Agents", authors="Kim")
    PaperSummaryFactory(paper=paper, sections=[{"heading": "요약", "body": "**환각** 문제"}])
    PaperSummaryFactory(paper=paper, sections=[{"heading": "Method", "body": "RL"}])
    CandidatePaper.objects.update(search_text="")
    migration.fill_search_text(apps, SimpleNamespace(connection=connection))
    paper.refresh_from_db()
    assert (paper.search_text == paper.compute_search_text()) is latest
    assert _found("kim 문제") == [paper.arxiv_id]
    # Glossary terms are found by the concept tokens the new layout has.
    assert _found("환각 rl kim") == ([paper.arxiv_id] if latest else [])
    assert (paper.search_title == search_form("tool agents")) is latest


@pytest.mark.django_db
def test_filters_combine_with_search():
    old = DigestFactory(date=date(2025, 1, 10))
    new = DigestFactory(date=date(2025, 5, 26))
    a = CandidatePaperFactory(arxiv_id="2505.00001", title="환각 A")
    b = CandidatePaperFactory(arxiv_id="2505.00002", title="환각 B", status="dismissed")
    c = CandidatePaperFactory(arxiv_id="2505.00003", title="환각 C")
    PaperSummaryFactory(paper=a, digest=old)
    PaperSummaryFactory(paper=b, digest=new)
    PaperSummaryFactory(paper=c, digest=new, summary_ok=False)
    assert _found("환각") == ["2505.00003", "2505.00001"]
    assert _found("환각", status="all") == ["2505.00003", "2505.00002", "2505.00001"]
    assert _found("환각", status="dismissed") == ["2505.00002"]
    assert _found("환각", seen_to=date(2025, 2, 1)) == ["2505.00001"]
    assert _found("환각", seen_from=date(2025, 5, 1), status="all") == [
        "2505.00003",
        "2505.00002",
    ]
    assert _found("환각", summary="yes") == ["2505.00001"]
    assert _found("환각", summary="no") == ["2505.00003"]


@pytest.mark.django_db
def test_a_search_with_more_matches_than_the_cap_counts_to_the_cap_and_pages_in_order(
    monkeypatch,
):
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 3)
    for n in range(7):
        CandidatePaperFactory(
            arxiv_id=f"2505.{n:05d}",
            title=f"환각 {n}",
            votes=n % 3,
            last_digest_date=date(2025, 5, 1 + n),
        )
    CandidatePaperFactory(arxiv_id="2505.99999", title="다른 논문")
    page = pool_page(PoolFilters(query="환각"), per_page=2)
    assert (page.paginator.capped, page.paginator.count) == (True, 4)
    assert [p.arxiv_id for p in page.object_list] == ["2505.00006", "2505.00005"]
    second = pool_page(PoolFilters(query="환각"), page=2, per_page=2)
    assert [p.arxiv_id for p in second.object_list] == ["2505.00004", "2505.00003"]
    by_votes = pool_page(PoolFilters(query="환각", sort="votes"), per_page=3)
    assert [p.arxiv_id for p in by_votes.object_list] == ["2505.00005", "2505.00002", "2505.00004"]
    if connection.vendor == "postgresql":  # the planner settings are back as they were
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_seqscan')")
            assert cursor.fetchone() == ("on",)


# --- search.json ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_json_gives_the_first_ten_open_matches(member_client):
    for n in range(12):
        CandidatePaperFactory(arxiv_id=f"2505.{n:05d}", title=f"강화 학습 {n}", votes=n)
    CandidatePaperFactory(arxiv_id="2505.99999", title="강화 학습 dismissed", status="dismissed")
    response = member_client.get(SEARCH_JSON, {"q": "강화 학습"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 10
    assert set(results[0]) == {"id", "arxiv_id", "title", "status", "status_label", "votes"}
    first = CandidatePaper.objects.get(arxiv_id=results[0]["arxiv_id"])
    assert results[0] == {
        "id": first.pk,
        "arxiv_id": first.arxiv_id,
        "title": first.title,
        "status": "candidate",
        "status_label": "Candidate",  # in the member's language
        "votes": first.votes,
    }
    assert "2505.99999" not in {r["arxiv_id"] for r in results}
    by_votes = member_client.get(SEARCH_JSON, {"q": "강화", "sort": "votes", "status": "all"})
    assert [r["votes"] for r in by_votes.json()["results"][:3]] == [11, 10, 9]
    dismissed = member_client.get(SEARCH_JSON, {"q": "학습", "status": "dismissed"})
    assert [r["arxiv_id"] for r in dismissed.json()["results"]] == ["2505.99999"]
    assert member_client.get(SEARCH_JSON, {"q": "  "}).json() == {"results": []}
    assert member_client.get(SEARCH_JSON, {"q": "없는말"}).json() == {"results": []}


@pytest.mark.django_db
def test_search_json_refuses_anonymous_visitors(client):
    response = client.get(SEARCH_JSON, {"q": "rl"})
    assert response.status_code == 403
    assert client.post(SEARCH_JSON, {"q": "rl"}).status_code in (403, 405)
