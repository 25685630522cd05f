"""Search that ranks (#14): spacing, the glossary, relevance, snippets, on real digests.

Runs on the configured database: PostgreSQL (where a search with many matches takes the
ranked path of `papers.selectors._ranked_rows`) and SQLite (one sorted query).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from papers import selectors
from papers.management.commands.refresh_search_text import refresh_search_texts
from papers.models import CandidatePaper
from papers.selectors import PoolFilters, pool_page
from papers.services import import_digest_text
from tests.factories import CandidatePaperFactory, DigestFactory, PaperSummaryFactory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# Real digests: seed 001 writes "강화 학습" spaced, seed 003 "강화학습" unspaced; the dair-ai
# list is English only and has a paper on hallucination.
REAL_DIGESTS = [
    FIXTURES / "seeds" / "001_067844c8fac165ac.txt",
    FIXTURES / "seeds" / "003_e72ac4efa89af711.txt",
    FIXTURES / "digests" / "real" / "dair-ai-ml-papers-of-the-week__README-2023-02-14.md",
]
LIST = "/papers/"
SEARCH_JSON = "/papers/search.json"


@pytest.fixture
def real_pool(db):
    for path in REAL_DIGESTS:
        digest = import_digest_text(text=path.read_text(encoding="utf-8"), origin=path.name)
        assert digest.status in ("done", "partial"), digest.errors
    return CandidatePaper.objects.all()


def _found(query: str, **filters) -> list[str]:
    """Every match of `query`, in the pool's order (all pages)."""
    found, page = [], 1
    while True:
        result = pool_page(PoolFilters(query=query, **filters), page=page, per_page=30)
        found += [paper.arxiv_id for paper in result.object_list]
        if not result.has_next():
            return found
        page += 1


def _says(arxiv_id: str, text: str) -> bool:
    paper = CandidatePaper.objects.get(arxiv_id=arxiv_id)
    return text in paper.title.lower() or any(
        text in summary.text.lower() for summary in paper.summaries.all()
    )


def test_spaced_and_unspaced_hangul_find_the_same_papers(real_pool):
    spaced, unspaced = _found("강화 학습"), _found("강화학습")
    assert sorted(spaced) == sorted(unspaced)
    assert "2505.18129" in spaced  # seed 001: "하나의 강화 학습으로 …" (spaced)
    assert "2509.07980" in spaced  # seed 003: "강화학습을 통해 …" (unspaced, and the title)
    assert sorted(_found("멀티모달 에이전트")) == sorted(_found("멀티모달에이전트"))


def test_a_korean_term_finds_papers_that_only_say_it_in_english(real_pool):
    english_only = "2302.04023"  # "… Evaluation of ChatGPT on Reasoning, Hallucination, …"
    assert _says(english_only, "hallucination") and not _says(english_only, "환각")
    korean = _found("환각")
    assert english_only in korean
    assert "2505.16211" in korean  # AudioTrust: "공정성, 환각, 안전성 …" (Korean only)
    assert not _says("2505.16211", "hallucination")
    assert sorted(korean) == sorted(_found("hallucination"))
    # An abbreviation widens too: RL finds "강화 학습" papers that never write "RL".
    assert set(_found("강화 학습")) <= set(_found("RL"))


def test_a_titles_exact_words_put_that_paper_first(real_pool):
    title = "Parallel-R1: Towards Parallel Thinking via Reinforcement Learning"
    assert _found(title)[0] == "2509.07980"
    assert _found(title.lower().replace(":", ""))[0] == "2509.07980"
    other = CandidatePaper.objects.get(arxiv_id="2505.17558")
    assert _found(other.title)[0] == "2505.17558"


@pytest.mark.django_db
def test_title_matches_come_before_summary_matches_then_the_newest():
    old, new, newest = (DigestFactory(date=date(2025, 5, day)) for day in (1, 10, 20))
    title_old = CandidatePaperFactory(arxiv_id="2505.00001", title="Hallucination in VLMs")
    title_new = CandidatePaperFactory(arxiv_id="2505.00002", title="환각 줄이기")
    summary_newest = CandidatePaperFactory(arxiv_id="2505.00003", title="Something else")
    CandidatePaperFactory(arxiv_id="2505.00004", title="Unrelated")
    for paper, digest in ((title_old, old), (title_new, new), (summary_newest, newest)):
        PaperSummaryFactory(
            paper=paper, digest=digest, sections=[{"heading": "요약", "body": "환각 문제"}]
        )
    for paper, digest in ((title_old, old), (title_new, new), (summary_newest, newest)):
        paper.last_digest_date = digest.date
        paper.save(update_fields=["last_digest_date"])
    assert _found("환각") == ["2505.00002", "2505.00001", "2505.00003"]
    # Asked for by date, by date; without a query, as before: newest digest first.
    assert _found("환각", sort="date") == ["2505.00003", "2505.00002", "2505.00001"]
    listed = [p.arxiv_id for p in pool_page(PoolFilters()).object_list]
    assert [arxiv_id for arxiv_id in listed if arxiv_id != "2505.00004"] == [
        "2505.00003",
        "2505.00002",
        "2505.00001",
    ]


@pytest.mark.parametrize("cap", [1, 3])
def test_the_ranked_path_for_many_matches_pages_exactly_like_one_sorted_query(
    real_pool, monkeypatch, cap
):
    """With more matches than the count's cap, PostgreSQL reads each rank apart and stops
    at the page (`_ranked_rows`); every page must be what sorting all matches gives."""
    queries = ["강화 학습", "환각", "reasoning", "LLM 추론", "언어 모델", "agent", "모델"]
    expected = {query: _found(query) for query in queries}
    assert {query: len(found) > cap for query, found in expected.items()} == dict.fromkeys(
        queries, True
    ), {query: len(found) for query, found in expected.items()}
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", cap)
    for query in queries:
        for per_page in (1, 2, 30):
            pages = []
            for number in range(1, cap // per_page + 3):
                page = pool_page(PoolFilters(query=query), page=number, per_page=per_page)
                assert page.paginator.capped
                pages += [paper.arxiv_id for paper in page.object_list]
                if not page.has_next():
                    break
            assert pages == expected[query][: len(pages)], (query, per_page)
            assert len(pages) >= min(len(expected[query]), cap + 1)


def test_the_snippet_marks_the_match_and_escapes_the_summary(member_client):
    paper = CandidatePaperFactory(arxiv_id="2505.00001", title="Untrusted digest")
    PaperSummaryFactory(
        paper=paper,
        sections=[
            {"heading": "동기", "body": "관련 없는 첫 문장입니다."},
            {
                "heading": "<b>방법</b>",
                "body": '- <script>alert("x")</script> <img src=x onerror=alert(1)> 모델의 '
                "**환각**을 줄입니다 & 끝.\n- 다른 줄",
            },
        ],
    )
    response = member_client.get(LIST, {"q": "hallucination"})
    html = response.content.decode()
    assert response.status_code == 200
    snippet = html.split("data-snippet>", 1)[1].split("</p>", 1)[0]
    assert snippet == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; "
        "모델의 <mark>환각</mark>을 줄입니다 &amp; 끝."
    )
    assert "<script>alert" not in html and "<img src=x" not in html
    # Without a search, the teaser as before; no marks.
    plain = member_client.get(LIST).content.decode()
    assert "<mark>" not in plain and "data-snippet" not in plain


def test_the_search_page_takes_the_same_queries_for_one_paper_or_three(
    member_client, django_assert_num_queries
):
    def add(number: int) -> None:
        paper = CandidatePaperFactory(arxiv_id=f"2505.{number:05d}", title=f"Agents {number}")
        PaperSummaryFactory(paper=paper, sections=[{"heading": "요약", "body": "강화 학습 환각"}])

    add(1)
    with django_assert_num_queries(4):
        first = member_client.get(LIST, {"q": "강화학습 hallucination"})
    add(2)
    add(3)
    with django_assert_num_queries(4):
        second = member_client.get(LIST, {"q": "강화학습 hallucination"})
    assert first.content.decode().count("<mark>") == 2
    assert second.content.decode().count("<mark>") == 6


def test_the_ranked_path_takes_the_same_queries_for_one_page_or_another(
    member_client, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", 2)
    for number in range(6):
        title = "환각 줄이기" if number % 2 else "Other"
        paper = CandidatePaperFactory(arxiv_id=f"2505.{number:05d}", title=title)
        PaperSummaryFactory(paper=paper, sections=[{"heading": "요약", "body": "환각"}])
    with django_assert_num_queries(4):
        member_client.get(LIST, {"q": "환각"})
    # The count is the first page's, from the cache.
    with django_assert_num_queries(3):
        member_client.get(LIST, {"q": "환각", "page": "2"})


def test_search_json_lists_title_matches_first(member_client):
    newer = DigestFactory(date=date(2025, 6, 1))
    older = DigestFactory(date=date(2025, 1, 1))
    summary_only = CandidatePaperFactory(arxiv_id="2505.00001", title="Something else")
    in_title = CandidatePaperFactory(arxiv_id="2505.00002", title="Diffusion Models Beat GANs")
    PaperSummaryFactory(paper=summary_only, digest=newer, sections=[{"body": "확산 모델입니다"}])
    PaperSummaryFactory(paper=in_title, digest=older, sections=[{"body": "그냥 요약"}])
    CandidatePaper.objects.filter(pk=summary_only.pk).update(last_digest_date=newer.date)
    CandidatePaper.objects.filter(pk=in_title.pk).update(last_digest_date=older.date)
    results = member_client.get(SEARCH_JSON, {"q": "확산 모델"}).json()["results"]
    assert [r["arxiv_id"] for r in results] == ["2505.00002", "2505.00001"]


def test_refresh_search_text_rebuilds_stale_texts_only(real_pool):
    count = real_pool.count()
    CandidatePaper.objects.filter(arxiv_id="2505.18129").update(search_text="stale")
    assert _found("강화 학습").count("2505.18129") == 0
    assert refresh_search_texts(batch=7) == (count, 1)
    assert "2505.18129" in _found("강화 학습")
    assert refresh_search_texts() == (count, 0)
    call_command("refresh_search_text", stdout=open("/dev/null", "w"))  # noqa: SIM115
    paper = CandidatePaper.objects.get(arxiv_id="2505.18129")
    assert paper.search_text == paper.compute_search_text()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
def test_the_title_and_the_concepts_have_indexes_of_their_own(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename = 'papers_candidatepaper' AND indexname LIKE 'papers_cand_%%'"
        )
        indexes = dict(cursor.fetchall())
    assert "gin (search_title gin_trgm_ops)" in indexes["papers_cand_title_trgm"]
    assert "hash (search_title)" in indexes["papers_cand_title_hash"]
    assert "gin (search_concepts gin_trgm_ops)" in indexes["papers_cand_concepts_trgm"]


@pytest.mark.parametrize("cap", [1000, 1])
def test_hostile_queries_are_plain_text_on_every_path(member_client, monkeypatch, cap):
    monkeypatch.setattr(selectors, "SEARCH_COUNT_CAP", cap)  # 1: the ranked path on PostgreSQL
    quoted = CandidatePaperFactory(arxiv_id="2505.00001", title="It's 100% \\ fine; -- ok")
    CandidatePaperFactory(arxiv_id="2505.00002", title="Other paper")
    PaperSummaryFactory(paper=quoted, sections=[{"heading": "x", "body": "모델의 환각"}])
    for query in ["it's 100%", "\\ fine; --", "'); DROP TABLE papers_candidatepaper; --"]:
        response = member_client.get(LIST, {"q": query})
        assert response.status_code == 200
    assert _found("it's 100%") == ["2505.00001"]
    assert _found("\\ fine; --") == ["2505.00001"]
    assert _found("'); DROP TABLE papers_candidatepaper; --") == []
    assert _found("%") == ["2505.00001"] and _found("_") == []
    assert CandidatePaper.objects.count() == 2
