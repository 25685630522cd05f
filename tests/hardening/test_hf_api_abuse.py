"""The Hugging Face Daily Papers API as a source: what a hostile or broken answer must not do.

The answer is JSON from the network (or from whatever host an organizer typed as the base
URL). It must not exhaust memory or the decoder's recursion, put script in a page, or make the
server reach an address the outbound guard refuses.
"""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from werkzeug import Response

from papers import hf_api
from papers.models import CandidatePaper, Digest, DigestSource
from papers.polling import poll_digest_source
from tests.papers.hf_answers import THREE_PAPERS, body

pytestmark = pytest.mark.django_db

DAY = date(2025, 5, 26)
API = "/api/daily_papers"
SCRIPT_TITLE = '<script>alert("t")</script><img src=x onerror=alert(1)> Sneaky Title'


@pytest.fixture
def allow_local(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]


def _source(httpserver) -> DigestSource:
    return DigestSource.objects.create(
        name="hf", kind="hf_api", location=httpserver.url_for(API), days_back=1
    )


def _poll(httpserver) -> DigestSource:
    source = _source(httpserver)
    poll_digest_source(source=source, today=DAY)
    source.refresh_from_db()
    return source


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "streamed"])
def test_a_huge_answer_is_refused_at_the_size_limit(httpserver, settings, allow_local, announced):
    settings.DIGEST_MAX_BYTES = 50_000
    entries = THREE_PAPERS * 200  # about 250 kB of valid JSON
    data = body(entries)
    if announced:
        httpserver.expect_request(API).respond_with_data(data, content_type="application/json")
    else:
        chunks = [data[i : i + 8192] for i in range(0, len(data), 8192)]
        httpserver.expect_request(API).respond_with_response(Response(iter(chunks)))
    source = _poll(httpserver)
    assert "larger than the limit of 50000 bytes" in source.last_error
    assert Digest.objects.count() == 0


def test_a_huge_answer_is_refused_by_the_parser_too():
    with pytest.raises(hf_api.AnswerError, match="larger than the limit of 100 bytes"):
        hf_api.parse_answer(body(THREE_PAPERS), day=DAY, max_bytes=100)


@pytest.mark.parametrize("opener", ["[", '{"a":'], ids=["arrays", "objects"])
def test_deeply_nested_json_is_refused_quickly_without_a_recursion_error(
    httpserver, allow_local, opener
):
    closer = "]" if opener == "[" else "}"
    data = (opener * 200_000 + "1" + closer * 200_000).encode()
    httpserver.expect_request(API).respond_with_data(data, content_type="application/json")
    started = time.monotonic()
    source = _poll(httpserver)
    assert time.monotonic() - started < 5
    assert "nested too deeply" in source.last_error
    assert Digest.objects.count() == 0


def test_brackets_inside_strings_do_not_count_as_nesting():
    entry = {"paper": {"id": "2505.00001", "title": "[" * 5000 + "{" * 5000, "summary": "x"}}
    daily = hf_api.parse_answer(body([entry]), day=DAY, max_bytes=10**6)
    assert daily.papers[0].arxiv_id == "2505.00001"


def test_script_in_titles_and_abstracts_stays_text_on_the_pool_and_paper_pages(
    httpserver, allow_local, client, member
):
    entry = json.loads(body(THREE_PAPERS[:1]))[0]
    entry["paper"]["title"] = SCRIPT_TITLE
    entry["paper"]["summary"] = "Abstract <script>alert('a')</script> [x](javascript:alert(3))"
    entry["paper"]["authors"] = [{"name": "<b onmouseover=alert(4)>Eve</b>"}]
    httpserver.expect_request(API).respond_with_data(body([entry]))
    _poll(httpserver)
    paper = CandidatePaper.objects.get(arxiv_id="2505.17612")
    assert "<script>" in paper.title  # stored as the text it is
    client.force_login(member)
    for url in ("/papers/", paper.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in page, url
        for raw in ("<script>alert", "<img src=x", "<b onmouseover"):
            assert raw not in page, (url, raw)
        assert "javascript:alert" not in page, url


def test_a_base_url_on_a_private_address_is_refused_by_the_outbound_guard(httpserver, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []  # production: no allowance
    httpserver.expect_request(API).respond_with_data(body(THREE_PAPERS))
    source = DigestSource(name="hf", kind="hf_api", location=httpserver.url_for(API))
    with pytest.raises(ValidationError, match="not allowed"):
        source.full_clean()
    source.save()  # as if saved before the rule, or the host's address changed since
    poll_digest_source(source=source, today=DAY)
    source.refresh_from_db()
    assert "the address is not allowed" in source.last_error
    assert httpserver.log == []
    assert Digest.objects.count() == 0


def test_overlong_fields_are_cut_before_they_reach_the_digest():
    entry = {
        "paper": {
            "id": "2505.00001",
            "title": "T" * 100_000,
            "summary": "S" * 1_000_000,
            "authors": [{"name": f"Author {n}"} for n in range(10_000)],
        }
    }
    daily = hf_api.parse_answer(body([entry]), day=DAY, max_bytes=10**8)
    (paper,) = daily.papers
    assert len(paper.title) == hf_api.MAX_TITLE_CHARS
    assert len(paper.abstract) == hf_api.MAX_ABSTRACT_CHARS
    assert len(paper.authors) == hf_api.MAX_AUTHORS


def test_a_hostile_id_is_not_an_arxiv_id():
    entries = [
        {"paper": {"id": "../../admin", "title": "Path"}},
        {"paper": {"id": "2505.00001) [x](javascript:alert(1)", "title": "Link"}},
        {"paper": {"id": 2505.00001, "title": "Number"}},
    ]
    daily = hf_api.parse_answer(body(entries), day=DAY, max_bytes=10**6)
    assert [p.arxiv_id for p in daily.papers] == ["", "", ""]
    assert "javascript:" not in hf_api.digest_text(daily)
