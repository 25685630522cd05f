from __future__ import annotations

import pytest
from django.urls import reverse

from papers.models import CandidatePaper
from tests.factories import CandidatePaperFactory

pytestmark = pytest.mark.django_db


def _form(paper: CandidatePaper, **changes) -> dict:
    data = {
        "arxiv_id": paper.arxiv_id,
        "title": paper.title,
        "authors": paper.authors,
        "hf_url": paper.hf_url,
        "arxiv_url": paper.arxiv_url,
        "thumbnail_url": paper.thumbnail_url,
        "votes": paper.votes or "",
        "first_digest_date": "",
        "last_digest_date": paper.last_digest_date.isoformat(),
        "status": paper.status,
        "summaries-TOTAL_FORMS": "0",
        "summaries-INITIAL_FORMS": "0",
        "summaries-MIN_NUM_FORMS": "0",
        "summaries-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_an_organizer_edit_in_the_admin_is_protected_from_imports(organizer_client):
    paper = CandidatePaperFactory(title="From the digest")
    url = reverse("admin:papers_candidatepaper_change", args=[paper.pk])
    response = organizer_client.post(url, _form(paper, title="운영자 제목", authors="A. Kim"))
    assert response.status_code == 302, response.content.decode()[:2000]
    paper.refresh_from_db()
    assert paper.title == "운영자 제목"
    assert sorted(paper.edited_fields) == ["authors", "title"]
    response = organizer_client.post(url, _form(paper, status="dismissed"))
    paper.refresh_from_db()
    assert sorted(paper.edited_fields) == ["authors", "title"]  # status is not imported


def test_the_admin_action_lets_imports_fill_edited_fields_again(organizer_client):
    paper = CandidatePaperFactory(edited_fields=["title"])
    response = organizer_client.post(
        reverse("admin:papers_candidatepaper_changelist"),
        {"action": "forget_edits", "_selected_action": [paper.pk]},
    )
    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.edited_fields == []
