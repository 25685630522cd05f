"""The Hugging Face Daily Papers API as a digest source: conversion, polling, errors."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from werkzeug import Response

from papers import hf_api
from papers.digest import parse_digest
from papers.models import CandidatePaper, Digest, DigestSource, PaperSummary
from papers.polling import poll_digest_source
from tests.papers.hf_answers import DAY, THREE_PAPERS, body

DAY_DATE = date.fromisoformat(DAY)
API_PATH = "/api/daily_papers"


@pytest.fixture(autouse=True)
def local_servers(settings):
    """The API is served on 127.0.0.1, which the outbound guard refuses unless allowed."""
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]


def _source(httpserver, days_back: int = 1) -> DigestSource:
    return DigestSource.objects.create(
        name="hf", kind="hf_api", location=httpserver.url_for(API_PATH), days_back=days_back
    )


def _serve(httpserver, day: str, data: bytes, status: int = 200) -> None:
    httpserver.expect_request(API_PATH, query_string=f"date={day}").respond_with_data(
        data, status=status, content_type="application/json"
    )


# --- conversion (no database) ---------------------------------------------------------------


def test_an_answer_becomes_a_digest_the_parser_reads_back_with_titles_authors_and_abstracts():
    daily = hf_api.parse_answer(body(THREE_PAPERS), day=DAY_DATE, max_bytes=10**6)
    parsed = parse_digest(hf_api.digest_text(daily))
    assert parsed.date == DAY_DATE
    assert [(p.arxiv_id, p.title, p.authors, p.votes) for p in parsed.papers] == [
        (
            "2505.17612",
            "Distilling LLM Agent into Small Models with Retrieval and Code Tools",
            ("Minki Kang", "Jongwon Jeong", "Seanie Lee"),
            42,
        ),
        (
            "2505.18125",
            "TabSTAR: A Foundation Tabular Model With Semantically Target-Aware Representations",
            ("Alan Arazi", "Eilam Shapira", "Roi Reichart"),
            17,
        ),
    ]
    assert "We propose Agent Distillation" in parsed.papers[0].sections[0].body
    assert "underperformed on tabular learning" in parsed.papers[1].sections[0].body


def test_an_entry_without_an_id_stays_in_the_digest_where_the_parser_reports_it():
    daily = hf_api.parse_answer(body(THREE_PAPERS), day=DAY_DATE, max_bytes=10**6)
    assert [p.title for p in daily.without_id] == ["An Entry the Hub Lists Without an Id"]
    parsed = parse_digest(hf_api.digest_text(daily))
    assert any("An Entry the Hub Lists Without an Id" in str(note) for note in parsed.errors)


def test_missing_fields_nulls_and_wrong_types_are_tolerated():
    entries = [
        {"paper": {"id": "2505.00001", "title": None, "authors": None, "upvotes": "many"}},
        {"paper": None, "id": "2505.00002", "title": "Top-level only", "summary": "Text."},
        {"paper": {"id": "2505.00003", "title": "Odd authors", "authors": ["Plain", 7, {}]}},
        "not an object",
        {"extra": {"deep": [1, 2, 3]}},
    ]
    daily = hf_api.parse_answer(body(entries), day=DAY_DATE, max_bytes=10**6)
    assert [(p.arxiv_id, p.title, p.authors, p.votes) for p in daily.papers] == [
        ("2505.00001", "2505.00001", (), None),
        ("2505.00002", "Top-level only", (), None),
        ("2505.00003", "Odd authors", ("Plain",), None),
        ("", "", (), None),
        ("", "", (), None),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html>Service Unavailable</html>", "not valid JSON"),
        (b'{"error": "Invalid date"}', "not a list of papers"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
    ],
    ids=["html", "object", "binary"],
)
def test_an_answer_that_is_not_a_list_of_papers_is_a_clear_error(data, message):
    with pytest.raises(hf_api.AnswerError, match=message):
        hf_api.parse_answer(data, day=DAY_DATE, max_bytes=10**6)


def test_the_date_is_added_to_the_base_urls_query():
    assert hf_api.day_url("https://hf.example/api/daily_papers?limit=50&date=x", DAY_DATE) == (
        "https://hf.example/api/daily_papers?limit=50&date=2025-05-26"
    )


# --- the source -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_empty_location_means_the_hubs_own_api():
    source = DigestSource(name="hf", kind="hf_api", location="")
    source.full_clean()
    assert source.location == "https://huggingface.co/api/daily_papers"
    assert source.is_dated


@pytest.mark.django_db
def test_a_placeholder_in_the_api_base_url_is_refused():
    source = DigestSource(name="hf", kind="hf_api", location="https://hf.example/{date}")
    with pytest.raises(ValidationError, match="takes no placeholder"):
        source.full_clean()


@pytest.mark.django_db
def test_a_poll_imports_the_days_papers_and_reports_the_entry_without_an_id(httpserver):
    _serve(httpserver, DAY, body(THREE_PAPERS))
    source = _source(httpserver)
    result = poll_digest_source(source=source, today=DAY_DATE)
    (digest,) = result.imported
    assert digest.status in (Digest.Status.DONE, Digest.Status.PARTIAL)
    assert (digest.date, digest.papers_new, digest.source) == (DAY_DATE, 2, source)
    assert digest.origin == httpserver.url_for(API_PATH) + "?date=2025-05-26"
    paper = CandidatePaper.objects.get(arxiv_id="2505.17612")
    assert paper.title == "Distilling LLM Agent into Small Models with Retrieval and Code Tools"
    assert paper.authors == "Minki Kang, Jongwon Jeong, Seanie Lee"
    assert paper.votes == 42
    summary = PaperSummary.objects.get(paper=paper)
    assert "We propose Agent Distillation" in summary.text
    source.refresh_from_db()
    assert "1 entries without an arXiv id: An Entry the Hub Lists Without an Id" in (
        source.last_error
    )
    assert source.last_result.startswith("1 new digest(s)")


@pytest.mark.django_db
def test_the_same_answer_twice_is_one_digest(httpserver):
    _serve(httpserver, DAY, body(THREE_PAPERS))
    source = _source(httpserver)
    poll_digest_source(source=source, today=DAY_DATE)
    result = poll_digest_source(source=source, today=DAY_DATE)
    assert (result.imported, result.already_imported) == ([], 1)
    assert Digest.objects.count() == 1
    assert CandidatePaper.objects.count() == 2


@pytest.mark.django_db
def test_a_changed_answer_for_a_recent_date_is_fetched_again_a_settled_one_is_not(httpserver):
    later = [dict(THREE_PAPERS[0], paper=dict(THREE_PAPERS[0]["paper"], upvotes=99))]
    # The first answer once (the morning of the day), the later one from then on.
    httpserver.expect_oneshot_request(API_PATH, query_string=f"date={DAY}").respond_with_data(
        body(THREE_PAPERS), content_type="application/json"
    )
    _serve(httpserver, DAY, body(later))
    _serve(httpserver, "2025-05-27", b"[]")
    _serve(httpserver, "2025-05-28", b"[]")
    source = _source(httpserver, days_back=3)
    with time_machine.travel("2025-05-26 12:00 +09:00", tick=True):
        poll_digest_source(source=source, today=DAY_DATE)  # the day itself: not settled
    with time_machine.travel("2025-05-28 15:00 +09:00", tick=True):
        first = poll_digest_source(source=source, today=date(2025, 5, 28))
        requests_before = len(httpserver.log)
        second = poll_digest_source(source=source, today=date(2025, 5, 28))
    assert len(first.imported) == 1  # the new votes: fetched again, a new digest
    assert "Vote: 99" in first.imported[0].content
    assert Digest.objects.count() == 2
    assert (len(second.imported), second.already_imported) == (0, 1)
    asked = [request.query_string.decode() for request, _ in httpserver.log[requests_before:]]
    assert asked == ["date=2025-05-27", "date=2025-05-28"]  # the settled date is not asked


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "status", "outcome"),
    [
        (b"[]", 200, "not published"),
        (b'{"error": "Not Found"}', 404, "not published"),
        (b"Internal Server Error", 500, "HTTP 500"),
        (b"<html>maintenance</html>", 200, "not valid JSON"),
        (b'{"papers": []}', 200, "not a list of papers"),
    ],
    ids=["empty-list", "404", "500", "not-json", "not-a-list"],
)
def test_answers_without_papers_are_recorded_on_the_source(httpserver, data, status, outcome):
    _serve(httpserver, DAY, data, status=status)
    source = _source(httpserver)
    result = poll_digest_source(source=source, today=DAY_DATE)
    source.refresh_from_db()
    assert result.imported == []
    if outcome == "not published":
        assert result.not_published == [httpserver.url_for(API_PATH) + "?date=2025-05-26"]
        assert source.last_error == ""
    else:
        assert outcome in source.last_error
    assert Digest.objects.count() == 0


@pytest.mark.django_db
def test_a_slow_api_times_out_with_a_clear_error(httpserver, settings):
    settings.DIGEST_HTTP_TIMEOUT = 0.2

    def slow(request):
        time.sleep(1)
        return Response(body(THREE_PAPERS), content_type="application/json")

    httpserver.expect_request(API_PATH).respond_with_handler(slow)
    source = _source(httpserver)
    started = time.monotonic()
    poll_digest_source(source=source, today=DAY_DATE)
    assert time.monotonic() - started < 1
    source.refresh_from_db()
    assert "timed out after 0.2 s" in source.last_error
    assert Digest.objects.count() == 0


@pytest.mark.django_db
def test_the_api_is_asked_for_json(httpserver):
    _serve(httpserver, DAY, b"[]")
    poll_digest_source(source=_source(httpserver), today=DAY_DATE)
    (request, _response) = httpserver.log[0]
    assert request.headers["Accept"] == "application/json"
    assert json.loads(b"[]") == []
