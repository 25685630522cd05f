"""The pool's "add a paper" form and the paper page's corrections and arXiv fetch."""

from __future__ import annotations

import pytest

from papers.models import CandidatePaper
from tests.factories import CandidatePaperFactory
from tests.papers.arxiv_feeds import (
    ATTENTION_ID,
    ATTENTION_TITLE,
    empty_feed,
    entry_feed,
    use_local_api,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_api(settings, httpserver):
    return use_local_api(settings, httpserver)


def test_organizers_see_the_add_form_on_the_pool_and_members_do_not(client, organizer, member):
    client.force_login(organizer)
    page = client.get("/papers/").content.decode()
    assert 'action="/papers/add/"' in page
    assert "Add a paper by link or arXiv id" in page
    assert '<label for="id_reference">Link or arXiv id</label>' in page
    client.force_login(member)
    assert 'action="/papers/add/"' not in client.get("/papers/").content.decode()


def test_adding_by_url_goes_to_the_new_paper_with_its_title_and_abstract(
    organizer_client, httpserver
):
    httpserver.expect_request("/api/query").respond_with_data(entry_feed())
    response = organizer_client.post(
        "/papers/add/", {"reference": "https://arxiv.org/abs/1706.03762v7"}, follow=True
    )
    assert response.redirect_chain == [("/papers/1706.03762/", 302)]
    page = response.content.decode()
    assert f"<h1>{ATTENTION_TITLE}" in page
    assert "1706.03762 was added to the pool." in page
    assert "The dominant sequence transduction models" in page
    pool = organizer_client.get("/papers/").content.decode()
    assert ATTENTION_TITLE in pool


def test_adding_a_paper_already_in_the_pool_says_so(organizer_client, httpserver):
    CandidatePaperFactory(arxiv_id=ATTENTION_ID, title="From a digest")
    response = organizer_client.post("/papers/add/", {"reference": ATTENTION_ID}, follow=True)
    assert "1706.03762 is already in the pool." in response.content.decode()
    assert httpserver.log == []


def test_a_bad_reference_keeps_what_was_typed_and_explains(organizer_client, httpserver):
    response = organizer_client.post("/papers/add/", {"reference": "attention is all <b>"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="attention is all &lt;b&gt;"' in page
    assert "This is not an arXiv link or id." in page
    assert httpserver.log == []


def test_an_unknown_id_keeps_what_was_typed_and_adds_nothing(organizer_client, httpserver):
    httpserver.expect_request("/api/query").respond_with_data(empty_feed("2501.99999"))
    response = organizer_client.post("/papers/add/", {"reference": "arXiv:2501.99999"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="arXiv:2501.99999"' in page
    assert "arXiv has no paper with the id 2501.99999." in page
    assert not CandidatePaper.objects.exists()


def test_with_arxiv_down_the_paper_is_added_and_shown_as_title_missing(
    organizer_client, httpserver
):
    httpserver.expect_request("/api/query").respond_with_data("down", status=503)
    response = organizer_client.post("/papers/add/", {"reference": ATTENTION_ID}, follow=True)
    page = response.content.decode()
    assert "will be filled in later" in page
    assert "Title missing" in page
    assert 'action="/papers/1706.03762/fetch/"' in page
    pool = organizer_client.get("/papers/").content.decode()
    assert "data-title-missing" in pool


def test_members_cannot_add_papers(member_client, httpserver):
    response = member_client.post("/papers/add/", {"reference": ATTENTION_ID})
    assert response.status_code == 403
    assert (CandidatePaper.objects.count(), httpserver.log) == (0, [])


def test_members_see_title_missing_but_no_fetch_or_edit_form(member_client):
    CandidatePaperFactory(arxiv_id=ATTENTION_ID, title="")
    page = member_client.get("/papers/1706.03762/").content.decode()
    assert "Title missing" in page
    assert "/fetch/" not in page
    assert "/edit/" not in page


def test_fetch_from_arxiv_fills_a_paper_without_title(organizer_client, httpserver):
    paper = CandidatePaperFactory(arxiv_id=ATTENTION_ID, title="")
    httpserver.expect_request("/api/query").respond_with_data(entry_feed())
    response = organizer_client.post("/papers/1706.03762/fetch/", follow=True)
    page = response.content.decode()
    assert "Filled in from arXiv: title, authors, abstract, arXiv page." in page
    paper.refresh_from_db()
    assert paper.title == ATTENTION_TITLE
    assert "Fetch from arXiv" not in page


def test_fetch_from_arxiv_reports_arxiv_being_down(organizer_client, httpserver):
    CandidatePaperFactory(arxiv_id=ATTENTION_ID, title="")
    httpserver.expect_request("/api/query").respond_with_data(
        "", status=429, headers={"Retry-After": "30"}
    )
    response = organizer_client.post("/papers/1706.03762/fetch/", follow=True)
    assert "arXiv asks us to wait; try again in 30 seconds." in response.content.decode()


def test_fetch_asks_nothing_when_nothing_is_missing(organizer_client, httpserver):
    CandidatePaperFactory(
        arxiv_id=ATTENTION_ID, authors="A", abstract="B", arxiv_url="https://arxiv.org/abs/1"
    )
    response = organizer_client.post("/papers/1706.03762/fetch/", follow=True)
    assert "Nothing is missing: arXiv was not asked." in response.content.decode()
    assert httpserver.log == []


def test_an_organizer_corrects_title_authors_and_links(organizer_client):
    paper = CandidatePaperFactory(arxiv_id="2505.17612", title="Wrong 요약", authors="")
    page = organizer_client.get("/papers/2505.17612/").content.decode()
    assert '<label for="id_edit-title">Title</label>' in page
    response = organizer_client.post(
        "/papers/2505.17612/edit/",
        {
            "edit-title": "Right",
            "edit-authors": "A. Author, B. Author",
            "edit-hf_url": "https://huggingface.co/papers/2505.17612",
            "edit-arxiv_url": "",
        },
        follow=True,
    )
    assert "Later imports will keep your changes." in response.content.decode()
    paper.refresh_from_db()
    assert (paper.title, paper.authors) == ("Right", "A. Author, B. Author")
    assert paper.edited_fields == ["title", "authors", "hf_url"]  # arxiv_url: unchanged


def test_a_rejected_correction_keeps_what_was_typed(organizer_client):
    paper = CandidatePaperFactory(arxiv_id="2505.17612", title="Old")
    response = organizer_client.post(
        "/papers/2505.17612/edit/",
        {"edit-title": "Typed title", "edit-hf_url": "javascript:alert(1)"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Typed title"' in page
    assert "Enter a valid URL." in page
    assert '<details class="card paper-edit" open>' in page
    paper.refresh_from_db()
    assert (paper.title, paper.edited_fields) == ("Old", [])


def test_members_cannot_edit_or_fetch(member_client, httpserver):
    paper = CandidatePaperFactory(arxiv_id="2505.17612", title="")
    assert member_client.post("/papers/2505.17612/edit/", {"edit-title": "X"}).status_code == 403
    assert member_client.post("/papers/2505.17612/fetch/").status_code == 403
    paper.refresh_from_db()
    assert paper.title == ""
    assert httpserver.log == []
