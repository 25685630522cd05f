"""Reading pasted references and asking the arXiv API (served locally by pytest-httpserver)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from werkzeug import Response

from papers import arxiv
from tests.papers.arxiv_feeds import (
    ATTENTION_AUTHORS,
    ATTENTION_ID,
    ATTENTION_TITLE,
    api_query,
    empty_feed,
    entry_feed,
    error_feed,
    use_local_api,
)

ATOM = "application/atom+xml; charset=utf-8"


@pytest.fixture(autouse=True)
def local_api(settings, httpserver):
    return use_local_api(settings, httpserver)


# --- references -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("1706.03762", "1706.03762"),
        ("  1706.03762v7 ", "1706.03762"),
        ("arXiv:1706.03762", "1706.03762"),
        ("arxiv: 1706.03762v2", "1706.03762"),
        ("https://arxiv.org/abs/1706.03762", "1706.03762"),
        ("https://arxiv.org/abs/1706.03762v7", "1706.03762"),
        ("http://arxiv.org/pdf/1706.03762v7.pdf", "1706.03762"),
        ("https://arxiv.org/pdf/1706.03762", "1706.03762"),
        ("https://arxiv.org/html/2505.17612v1/", "2505.17612"),
        ("https://export.arxiv.org/abs/2505.17612", "2505.17612"),
        ("https://www.arxiv.org/abs/2505.17612?context=cs.CL", "2505.17612"),
        ("arxiv.org/abs/2505.17612", "2505.17612"),
        ("https://huggingface.co/papers/2505.17612", "2505.17612"),
        ("https://huggingface.co/papers/2505.17612#community", "2505.17612"),
        ("https://www.alphaxiv.org/abs/2505.17612", "2505.17612"),
        ("https://www.alphaxiv.org/overview/2505.17612v2", "2505.17612"),
        ("0704.0001", "0704.0001"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("hep-th/9901001v3", "hep-th/9901001"),
        ("arXiv:hep-th/9901001", "hep-th/9901001"),
        ("https://arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        ("https://arxiv.org/pdf/math/0309136v1.pdf", "math/0309136"),
        ("math.GT/0309136", "math.GT/0309136"),
    ],
)
def test_a_reference_gives_its_normalized_id(reference, expected):
    assert arxiv.parse_reference(reference) == expected


@pytest.mark.parametrize(
    "reference",
    [
        "",
        "   ",
        "attention is all you need",
        "1706.0376",  # too short
        "2513.12345",  # month 13
        "0703.1234",  # new-style ids start in April 2007
        "1501.1234",  # 5 digits since 2015
        "see 1706.03762 for details",  # an id inside a sentence is not the reference
        "foo/9901001",  # no such archive
        "https://arxiv.org/list/cs.CL/recent",
        "https://huggingface.co/papers",
        "javascript:alert(1)",
        "1706.03762" + "0" * 600,
    ],
)
def test_text_that_is_not_a_reference_is_refused_with_a_message(reference):
    with pytest.raises(arxiv.InvalidReference) as caught:
        arxiv.parse_reference(reference)
    assert caught.value.message


# --- fetching ---------------------------------------------------------------------------------


def test_a_found_paper_gives_its_metadata(httpserver):
    httpserver.expect_request("/api/query", query_string=api_query(ATTENTION_ID)).respond_with_data(
        entry_feed(), content_type=ATOM
    )
    paper = arxiv.fetch_paper(ATTENTION_ID)
    assert paper.arxiv_id == ATTENTION_ID
    assert paper.title == ATTENTION_TITLE
    assert paper.authors == ATTENTION_AUTHORS
    assert paper.authors_text.startswith("Ashish Vaswani, Noam Shazeer, ")
    assert paper.abstract.startswith("The dominant sequence transduction models are based on")
    assert "\n" not in paper.abstract  # the API's wrapping is undone
    assert paper.abstract.endswith("both with large and limited training data.")
    assert paper.published == datetime(2017, 6, 12, 17, 57, 34, tzinfo=UTC)
    assert paper.updated == datetime(2023, 8, 2, 0, 41, 18, tzinfo=UTC)
    assert paper.version == 7
    assert paper.abs_url == "https://arxiv.org/abs/1706.03762"


def test_an_old_style_id_is_asked_with_its_slash(httpserver):
    httpserver.expect_request(
        "/api/query", query_string=api_query("hep-th/9901001")
    ).respond_with_data(
        entry_feed("hep-th/9901001", version=2, title="An old paper", authors=("A. Physicist",)),
        content_type=ATOM,
    )
    paper = arxiv.fetch_paper("hep-th/9901001")
    assert (paper.title, paper.authors, paper.version) == ("An old paper", ("A. Physicist",), 2)


def test_an_empty_feed_means_the_paper_does_not_exist(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(
        empty_feed("2501.99999"), content_type=ATOM
    )
    with pytest.raises(arxiv.NotFound) as caught:
        arxiv.fetch_paper("2501.99999")
    assert caught.value.message == "arXiv has no paper with the id 2501.99999."


def test_the_api_error_entry_means_the_paper_does_not_exist(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(
        error_feed("2501.99999"), content_type=ATOM
    )
    with pytest.raises(arxiv.NotFound):
        arxiv.fetch_paper("2501.99999")


def test_an_entry_for_another_paper_is_not_taken_for_the_one_asked(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(entry_feed("2505.17612"))
    with pytest.raises(arxiv.NotFound):
        arxiv.fetch_paper(ATTENTION_ID)


@pytest.mark.parametrize("status", [404, 500, 502, 400])
def test_an_http_error_is_unavailable_not_a_missing_paper(httpserver, status):
    httpserver.expect_request("/api/query").respond_with_data("oops", status=status)
    with pytest.raises(arxiv.Unavailable) as caught:
        arxiv.fetch_paper(ATTENTION_ID)
    assert caught.value.message == (
        "arXiv cannot be reached at the moment; the paper will be filled in later."
    )
    assert f"HTTP {status}" in str(caught.value)  # the detail, for the log only


def test_a_429_with_retry_after_says_when_to_try_again(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "120"}
    )
    with pytest.raises(arxiv.Unavailable) as caught:
        arxiv.fetch_paper(ATTENTION_ID)
    assert caught.value.retry_after == 120
    assert caught.value.message == "arXiv asks us to wait; try again in 120 seconds."


def test_a_429_without_retry_after_is_still_unavailable(httpserver):
    httpserver.expect_request("/api/query").respond_with_data("slow down", status=429)
    with pytest.raises(arxiv.Unavailable) as caught:
        arxiv.fetch_paper(ATTENTION_ID)
    assert caught.value.retry_after is None


def test_retry_after_as_an_http_date_is_read_and_capped():
    now = datetime(2025, 5, 27, 12, 0, 0, tzinfo=UTC)
    assert arxiv._retry_after("Tue, 27 May 2025 12:01:30 GMT", now=now) == 90
    assert arxiv._retry_after("Tue, 27 May 2025 11:00:00 GMT", now=now) == 0
    assert arxiv._retry_after("99999999", now=now) == arxiv.MAX_RETRY_AFTER
    assert arxiv._retry_after("soon", now=now) is None


def test_a_server_that_does_not_answer_in_time_is_unavailable(httpserver, settings):
    settings.ARXIV_HTTP_TIMEOUT = 0.3

    def slow(_request):
        time.sleep(1.0)
        return Response(entry_feed(), content_type=ATOM)

    httpserver.expect_request("/api/query").respond_with_handler(slow)
    started = time.monotonic()
    with pytest.raises(arxiv.Unavailable) as caught:
        arxiv.fetch_paper(ATTENTION_ID)
    assert time.monotonic() - started < 0.9
    assert caught.value.message == (
        "arXiv did not answer in time; the paper will be filled in later."
    )


def test_an_answer_that_is_not_a_feed_is_unavailable(httpserver):
    httpserver.expect_request("/api/query").respond_with_data("<html>maintenance</html>")
    with pytest.raises(arxiv.Unavailable):
        arxiv.fetch_paper(ATTENTION_ID)


def test_a_second_fetch_of_the_same_id_comes_from_the_cache(httpserver):
    httpserver.expect_request("/api/query").respond_with_data(entry_feed(), content_type=ATOM)
    first = arxiv.fetch_paper(ATTENTION_ID)
    second = arxiv.fetch_paper(ATTENTION_ID)
    assert first == second
    assert len(httpserver.log) == 1


# --- politeness: one request per 3 seconds ---------------------------------------------------


class FakeClock:
    """A wall clock that moves only when told to (or when the code under test sleeps)."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_two_fetches_within_three_seconds_are_spaced_by_waiting(httpserver, settings):
    settings.ARXIV_MIN_INTERVAL = 3.0
    httpserver.expect_request("/api/query").respond_with_data(entry_feed("2505.17612"))
    clock = FakeClock(1_000_000.0)
    arxiv.fetch_paper("2505.17612", clock=clock, sleep=clock.sleep)
    clock.now += 1.0
    httpserver.clear_all_handlers()
    httpserver.expect_request("/api/query").respond_with_data(entry_feed(ATTENTION_ID))
    arxiv.fetch_paper(ATTENTION_ID, clock=clock, sleep=clock.sleep)
    assert clock.slept == [2.0]
    assert len(httpserver.log) == 2


def test_a_fetch_that_would_wait_too_long_is_refused_without_a_request(httpserver, settings):
    settings.ARXIV_MIN_INTERVAL = 3.0
    httpserver.expect_request("/api/query").respond_with_data(entry_feed("2505.17612"))
    clock = FakeClock(1_000_000.0)
    arxiv.fetch_paper("2505.17612", clock=clock, sleep=clock.sleep)
    clock.now += 0.5
    with pytest.raises(arxiv.Unavailable) as caught:
        arxiv.fetch_paper(ATTENTION_ID, max_wait=1.0, clock=clock, sleep=clock.sleep)
    assert caught.value.retry_after == 3  # 2.5 s, rounded up
    assert clock.slept == []
    assert len(httpserver.log) == 1


def test_turns_are_shared_so_three_quick_fetches_go_three_seconds_apart(httpserver, settings):
    settings.ARXIV_MIN_INTERVAL = 3.0
    clock = FakeClock(1_000_000.0)
    asked_at = []

    def answer(request):
        asked_at.append(clock.now)
        pid = request.args["id_list"]
        return Response(entry_feed(pid), content_type=ATOM)

    httpserver.expect_request("/api/query").respond_with_handler(answer)
    for pid in ("2505.17612", "2505.17613", "2505.17614"):
        arxiv.fetch_paper(pid, clock=clock, sleep=clock.sleep)
    assert asked_at == [1_000_000.0, 1_000_003.0, 1_000_006.0]


def test_after_a_quiet_while_a_fetch_does_not_wait(httpserver, settings):
    settings.ARXIV_MIN_INTERVAL = 3.0
    httpserver.expect_request("/api/query").respond_with_handler(
        lambda request: Response(entry_feed(request.args["id_list"]), content_type=ATOM)
    )
    clock = FakeClock(1_000_000.0)
    arxiv.fetch_paper("2505.17612", clock=clock, sleep=clock.sleep)
    clock.now += 10
    arxiv.fetch_paper("2505.17613", clock=clock, sleep=clock.sleep)
    assert clock.slept == []


def test_a_cache_hit_takes_no_turn(httpserver, settings):
    settings.ARXIV_MIN_INTERVAL = 3.0
    httpserver.expect_request("/api/query").respond_with_data(entry_feed())
    clock = FakeClock(1_000_000.0)
    arxiv.fetch_paper(ATTENTION_ID, clock=clock, sleep=clock.sleep)
    arxiv.fetch_paper(ATTENTION_ID, max_wait=0, clock=clock, sleep=clock.sleep)
    assert (clock.slept, len(httpserver.log)) == ([], 1)
