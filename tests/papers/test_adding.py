"""Adding a paper by its link or id, filling it from arXiv later, and organizers' corrections."""

from __future__ import annotations

import time
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from papers import selectors, services, tasks
from papers.forms import PoolFilterForm
from papers.models import CandidatePaper
from papers.services import import_digest_text
from tests.factories import CandidatePaperFactory
from tests.papers.arxiv_feeds import (
    ATTENTION_ID,
    ATTENTION_TITLE,
    api_query,
    empty_feed,
    entry_feed,
    use_local_api,
)
from tests.papers.builders import hf_digest

pytestmark = pytest.mark.django_db


def _found_by_search(query: str) -> list[str]:
    filters = PoolFilterForm({"q": query}).filters()
    return list(selectors.filtered_pool(filters).values_list("arxiv_id", flat=True))


@pytest.fixture(autouse=True)
def local_api(settings, httpserver):
    return use_local_api(settings, httpserver)


def test_a_new_paper_is_added_with_its_arxiv_metadata(httpserver, organizer):
    httpserver.expect_request("/api/query", query_string=api_query(ATTENTION_ID)).respond_with_data(
        entry_feed()
    )
    paper, outcome = services.add_paper_by_reference(
        reference="https://arxiv.org/pdf/1706.03762v7.pdf", actor=organizer
    )
    assert outcome == services.ADDED_NEW
    paper.refresh_from_db()
    assert (paper.arxiv_id, paper.title) == (ATTENTION_ID, ATTENTION_TITLE)
    assert paper.authors.startswith("Ashish Vaswani, Noam Shazeer")
    assert paper.abstract.startswith("The dominant sequence transduction models")
    assert paper.arxiv_url == "https://arxiv.org/abs/1706.03762"
    assert (paper.status, paper.edited_fields) == ("candidate", [])
    assert _found_by_search("attention vaswani") == [ATTENTION_ID]


def test_a_paper_already_in_the_pool_is_returned_without_asking_arxiv(httpserver, organizer):
    existing = CandidatePaperFactory(arxiv_id=ATTENTION_ID, title="From a digest")
    paper, outcome = services.add_paper_by_reference(
        reference="https://huggingface.co/papers/1706.03762", actor=organizer
    )
    assert (paper.pk, outcome) == (existing.pk, services.ADDED_EXISTING)
    assert CandidatePaper.objects.count() == 1
    assert httpserver.log == []


def test_a_versioned_reference_finds_the_paper_stored_without_version(httpserver, organizer):
    existing = CandidatePaperFactory(arxiv_id="hep-th/9901001")
    paper, outcome = services.add_paper_by_reference(
        reference="arXiv:hep-th/9901001v2", actor=organizer
    )
    assert (paper.pk, outcome) == (existing.pk, services.ADDED_EXISTING)


def test_an_id_arxiv_does_not_know_adds_nothing(httpserver, organizer):
    httpserver.expect_request("/api/query").respond_with_data(empty_feed("2501.99999"))
    with pytest.raises(ValidationError) as caught:
        services.add_paper_by_reference(reference="2501.99999", actor=organizer)
    assert caught.value.messages == ["arXiv has no paper with the id 2501.99999."]
    assert not CandidatePaper.objects.exists()


def test_text_that_is_not_a_reference_adds_nothing_and_asks_nothing(httpserver, organizer):
    with pytest.raises(ValidationError) as caught:
        services.add_paper_by_reference(reference="Attention is all you need", actor=organizer)
    assert caught.value.code == "reference"
    assert (CandidatePaper.objects.count(), httpserver.log) == (0, [])


def test_with_arxiv_down_the_paper_is_added_by_id_and_filled_when_it_is_back(
    httpserver, organizer, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/api/query").respond_with_data("down", status=503)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        paper, outcome = services.add_paper_by_reference(
            reference="https://arxiv.org/abs/1706.03762", actor=organizer
        )
    assert outcome == services.ADDED_PENDING
    paper.refresh_from_db()
    assert (paper.arxiv_id, paper.title, paper.authors) == (ATTENTION_ID, "", "")
    assert services.missing_metadata_fields(paper) == ["title", "authors", "abstract"]
    assert len(callbacks) == 1  # the fill, sent once the row is committed

    httpserver.clear_all_handlers()
    httpserver.expect_request("/api/query").respond_with_data(entry_feed())
    tasks.fill_paper_metadata.apply(args=[paper.pk])
    paper.refresh_from_db()
    assert paper.title == ATTENTION_TITLE
    assert paper.abstract.startswith("The dominant")
    assert services.missing_metadata_fields(paper) == []


def test_run_in_process_the_fill_gives_up_quietly_while_arxiv_is_still_down(httpserver):
    paper = CandidatePaperFactory(arxiv_id=ATTENTION_ID, title="")
    httpserver.expect_request("/api/query").respond_with_data("down", status=500)
    tasks.fill_paper_metadata.apply(args=[paper.pk]).get()
    paper.refresh_from_db()
    assert paper.title == ""
    assert len(httpserver.log) == 1


def test_the_fill_of_a_paper_with_nothing_missing_asks_nothing(httpserver):
    paper = CandidatePaperFactory(
        arxiv_id=ATTENTION_ID, authors="X", abstract="Y", arxiv_url="https://arxiv.org/abs/1"
    )
    tasks.fill_paper_metadata.apply(args=[paper.pk])
    tasks.fill_paper_metadata.apply(args=[paper.pk + 1000])  # deleted meanwhile
    assert httpserver.log == []


def test_a_fill_never_writes_over_an_organizers_edit_or_a_digests_value(httpserver, organizer):
    paper = CandidatePaperFactory(arxiv_id=ATTENTION_ID, title="", authors="", hf_url="")
    services.edit_paper(
        paper=paper, changes={"title": "Transformers (organizer's title)"}, actor=organizer
    )
    CandidatePaper.objects.filter(pk=paper.pk).update(arxiv_url="https://arxiv.org/abs/x")
    httpserver.expect_request("/api/query").respond_with_data(entry_feed())
    paper.refresh_from_db()
    changed = services.fetch_paper_metadata(paper=paper)
    assert changed == ["authors", "abstract"]
    assert paper.title == "Transformers (organizer's title)"
    assert paper.arxiv_url == "https://arxiv.org/abs/x"
    assert paper.authors.startswith("Ashish Vaswani")


def test_an_organizer_cleared_field_stays_empty_after_a_fill(httpserver, organizer):
    paper = CandidatePaperFactory(arxiv_id=ATTENTION_ID, title="T", authors="Wrong People")
    services.edit_paper(paper=paper, changes={"authors": ""}, actor=organizer)
    httpserver.expect_request("/api/query").respond_with_data(entry_feed())
    services.fetch_paper_metadata(paper=paper)
    paper.refresh_from_db()
    assert (paper.authors, paper.title) == ("", "T")
    assert paper.abstract.startswith("The dominant")


def test_an_edit_records_only_the_fields_that_changed(organizer):
    paper = CandidatePaperFactory(title="Old", authors="A", hf_url="")
    changed = services.edit_paper(
        paper=paper,
        changes={"title": "New", "authors": "A", "hf_url": "", "arxiv_url": paper.arxiv_url},
        actor=organizer,
    )
    paper.refresh_from_db()
    assert (changed, paper.edited_fields, paper.title) == (["title"], ["title"], "New")
    assert services.edit_paper(paper=paper, changes={"title": "New"}, actor=organizer) == []
    assert _found_by_search("New") == [paper.arxiv_id]


def test_a_later_digest_keeps_the_organizers_title_and_authors(organizer):
    day = date(2025, 5, 26)
    import_digest_text(text=hf_digest(day, [("2505.17612", "Title 요약")]), origin="one")
    paper = CandidatePaper.objects.get(arxiv_id="2505.17612")
    services.edit_paper(
        paper=paper, changes={"title": "The right title", "authors": "A. Right"}, actor=organizer
    )
    import_digest_text(
        text=hf_digest(date(2025, 5, 27), [("2505.17612", "Another wrong title")]), origin="two"
    )
    paper.refresh_from_db()
    assert (paper.title, paper.authors) == ("The right title", "A. Right")
    assert paper.last_digest_date == date(2025, 5, 27)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_fills_a_paper_added_while_arxiv_was_down(
    celery_worker, httpserver, organizer
):
    # The page's request finds arXiv down; by the time the worker asks, it is back.
    httpserver.expect_oneshot_request("/api/query").respond_with_data("down", status=503)
    httpserver.expect_request("/api/query").respond_with_data(entry_feed())
    paper, outcome = services.add_paper_by_reference(reference=ATTENTION_ID, actor=organizer)
    assert outcome == services.ADDED_PENDING
    deadline = time.monotonic() + 20
    while not paper.title and time.monotonic() < deadline:
        time.sleep(0.05)
        paper.refresh_from_db()
    assert paper.title == ATTENTION_TITLE
    assert len(httpserver.log) == 2
