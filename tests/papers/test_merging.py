"""Merging a duplicate candidate into the paper that stays: what moves, what is kept."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from papers import selectors
from papers.forms import PoolFilterForm
from papers.merging import merge_papers
from papers.models import CandidatePaper, PaperInterest, PaperSummary
from seminar.models import Topic
from tests.factories import (
    CandidatePaperFactory,
    DigestFactory,
    PaperSummaryFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _found_by_search(query: str) -> list[str]:
    filters = PoolFilterForm({"q": query}).filters()
    return list(selectors.filtered_pool(filters).values_list("arxiv_id", flat=True))


def test_merging_moves_summaries_interests_and_topics_and_deletes_the_duplicate(organizer):
    into = CandidatePaperFactory(arxiv_id="hep-th/9901001", title="Strings")
    duplicate = CandidatePaperFactory(arxiv_id="9901.00001", title="")
    summary = PaperSummaryFactory(
        paper=duplicate, sections=[{"heading": "요약", "body": "끈이론 초록"}]
    )
    member = UserFactory()
    PaperInterest.objects.create(paper=duplicate, member=member, kind="present")
    topic = TopicFactory(paper=duplicate)

    merge_papers(duplicate=duplicate, into=into, actor=organizer)

    assert not CandidatePaper.objects.filter(pk=duplicate.pk).exists()
    summary.refresh_from_db()
    topic.refresh_from_db()
    assert summary.paper_id == into.pk
    assert topic.paper_id == into.pk
    assert list(PaperInterest.objects.values_list("paper_id", "member_id", "kind")) == [
        (into.pk, member.pk, "present")
    ]
    # The moved summary is searchable under the paper that stays.
    assert _found_by_search("끈이론") == ["hep-th/9901001"]


def test_conflicting_summaries_and_marks_keep_one_each(organizer):
    into = CandidatePaperFactory()
    duplicate = CandidatePaperFactory()
    shared_digest = DigestFactory()
    kept_summary = PaperSummaryFactory(paper=into, digest=shared_digest)
    PaperSummaryFactory(paper=duplicate, digest=shared_digest)
    own_summary = PaperSummaryFactory(paper=duplicate)
    both, only_duplicate = UserFactory(), UserFactory()
    kept_mark = PaperInterest.objects.create(paper=into, member=both, kind="hear")
    PaperInterest.objects.create(paper=duplicate, member=both, kind="hear")
    PaperInterest.objects.create(paper=duplicate, member=both, kind="present")
    PaperInterest.objects.create(paper=duplicate, member=only_duplicate, kind="hear")

    merge_papers(duplicate=duplicate, into=into, actor=organizer)

    assert set(PaperSummary.objects.values_list("pk", "paper_id")) == {
        (kept_summary.pk, into.pk),
        (own_summary.pk, into.pk),
    }
    marks = set(PaperInterest.objects.values_list("paper_id", "member_id", "kind"))
    assert marks == {
        (into.pk, both.pk, "hear"),
        (into.pk, both.pk, "present"),
        (into.pk, only_duplicate.pk, "hear"),
    }
    assert PaperInterest.objects.filter(pk=kept_mark.pk).exists()


def test_empty_fields_are_filled_but_organizer_edits_are_kept(organizer):
    into = CandidatePaperFactory(
        title="Corrected by hand",
        authors="",
        abstract="",
        hf_url="",
        votes=3,
        first_digest_date=date(2025, 5, 20),
        last_digest_date=date(2025, 5, 21),
        edited_fields=["title", "hf_url"],
    )
    duplicate = CandidatePaperFactory(
        title="Imported title",
        authors="A. Author, B. Author",
        abstract="What the paper does.",
        hf_url="https://huggingface.co/papers/2505.99999",
        votes=10,
        first_digest_date=date(2025, 5, 1),
        last_digest_date=date(2025, 5, 30),
        edited_fields=["authors"],
    )

    filled = merge_papers(duplicate=duplicate, into=into, actor=organizer)

    into.refresh_from_db()
    assert into.title == "Corrected by hand"
    assert into.hf_url == ""  # empty, but an organizer's edit: not filled
    assert (into.authors, into.abstract) == ("A. Author, B. Author", "What the paper does.")
    assert into.votes == 10
    assert (into.first_digest_date, into.last_digest_date) == (date(2025, 5, 1), date(2025, 5, 30))
    assert set(filled) == {"authors", "abstract", "votes", "first_digest_date", "last_digest_date"}
    # The duplicate's correction stays a correction: later imports do not overwrite it.
    assert into.edited_fields == ["title", "hf_url", "authors"]


def test_a_scheduled_duplicate_leaves_the_merged_paper_scheduled(organizer):
    into = CandidatePaperFactory(status=CandidatePaper.Status.CANDIDATE)
    duplicate = CandidatePaperFactory(status=CandidatePaper.Status.SCHEDULED)
    merge_papers(duplicate=duplicate, into=into, actor=organizer)
    into.refresh_from_db()
    assert into.status == CandidatePaper.Status.SCHEDULED


def test_a_paper_cannot_be_merged_into_itself(organizer):
    paper = CandidatePaperFactory()
    PaperSummaryFactory(paper=paper)
    with pytest.raises(ValidationError) as caught:
        merge_papers(duplicate=paper, into=paper, actor=organizer)
    assert caught.value.code == "self"
    assert CandidatePaper.objects.filter(pk=paper.pk).exists()
    assert PaperSummary.objects.filter(paper=paper).count() == 1


def test_merging_into_a_paper_deleted_meanwhile_changes_nothing(organizer):
    into = CandidatePaperFactory()
    duplicate = CandidatePaperFactory()
    topic = TopicFactory(paper=duplicate)
    CandidatePaper.objects.filter(pk=into.pk).delete()
    with pytest.raises(ValidationError):
        merge_papers(duplicate=duplicate, into=into, actor=organizer)
    topic.refresh_from_db()
    assert topic.paper_id == duplicate.pk


# --- the paper page ---------------------------------------------------------------------------


def test_organizers_merge_from_the_paper_page_by_arxiv_link(organizer_client):
    into = CandidatePaperFactory(arxiv_id="2505.17612", title="Kept")
    duplicate = CandidatePaperFactory(arxiv_id="2505.17613", title="Duplicate")
    topic = TopicFactory(paper=duplicate)
    page = organizer_client.get("/papers/2505.17613/").content.decode()
    assert 'action="/papers/2505.17613/merge/"' in page

    response = organizer_client.post(
        "/papers/2505.17613/merge/", {"merge-into": "https://arxiv.org/abs/2505.17612v2"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/papers/2505.17612/"
    assert not CandidatePaper.objects.filter(pk=duplicate.pk).exists()
    assert Topic.objects.get(pk=topic.pk).paper_id == into.pk


def test_merging_into_itself_or_an_unknown_id_keeps_what_was_typed(organizer_client):
    paper = CandidatePaperFactory(arxiv_id="2505.17612")
    for typed in ("2505.17612", "2501.99999", "not an id <b>"):
        response = organizer_client.post("/papers/2505.17612/merge/", {"merge-into": typed})
        assert response.status_code == 400
        page = response.content.decode()
        assert '<details class="card paper-merge" open>' in page
        assert 'value="not an id &lt;b&gt;"' in page or f'value="{typed}"' in page
    assert CandidatePaper.objects.filter(pk=paper.pk).exists()


def test_members_cannot_merge_or_see_the_merge_form(member_client):
    CandidatePaperFactory(arxiv_id="2505.17612")
    duplicate = CandidatePaperFactory(arxiv_id="2505.17613")
    assert (
        'action="/papers/2505.17613/merge/"'
        not in member_client.get("/papers/2505.17613/").content.decode()
    )
    response = member_client.post("/papers/2505.17613/merge/", {"merge-into": "2505.17612"})
    assert response.status_code == 403
    assert CandidatePaper.objects.filter(pk=duplicate.pk).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    duplicate = CandidatePaperFactory(arxiv_id="2505.17613")
    CandidatePaperFactory(arxiv_id="2505.17612")
    response = client.post("/papers/2505.17613/merge/", {"merge-into": "2505.17612"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert CandidatePaper.objects.filter(pk=duplicate.pk).exists()
