"""The pool page's cache: never stale, the same queries whatever the data's size, and each
viewer's own marks and buttons only."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from papers.models import CandidatePaper, PaperInterest
from tests.factories import CandidatePaperFactory, PaperSummaryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

LIST = "/papers/"
SEARCH = {"q": "강화 학습"}


def _papers(count: int, *, start: int = 0) -> list[CandidatePaper]:
    papers = []
    for n in range(start, start + count):
        paper = CandidatePaperFactory(title=f"강화 학습 {n}", votes=n)
        PaperSummaryFactory(paper=paper, sections=[{"heading": "요약", "body": f"강화 학습 {n}"}])
        papers.append(paper)
    return papers


def _queries(client, params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, params)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_a_write_shows_on_the_next_view(member_client):
    (paper,) = _papers(1)
    assert "강화 학습 0" in member_client.get(LIST, SEARCH).content.decode()
    CandidatePaper.objects.filter(pk=paper.pk).update(title="강화 학습 renamed")
    page = member_client.get(LIST, SEARCH).content.decode()
    assert "강화 학습 renamed" in page
    # The (cached) count follows a new match too.
    _papers(1, start=5)
    assert 'data-result-count="2"' in member_client.get(LIST, SEARCH).content.decode()


@pytest.mark.parametrize("params", [{}, SEARCH, {**SEARCH, "sort": "votes"}])
def test_queries_do_not_grow_with_the_pool(member_client, other_member, params):
    for paper in _papers(2):
        PaperInterest.objects.create(paper=paper, member=other_member, kind="hear")
    cache.clear()
    cold, _ = _queries(member_client, params)
    warm, _ = _queries(member_client, params)
    for paper in _papers(6, start=10):
        PaperInterest.objects.create(paper=paper, member=other_member, kind="present")
    cache.clear()
    assert _queries(member_client, params)[0] == cold
    assert _queries(member_client, params)[0] == warm
    assert warm < cold


def _client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_member_sees_their_own_marks(member, other_member):
    (paper,) = _papers(1)
    PaperInterest.objects.create(paper=paper, member=member, kind="hear")
    first, second = _client_of(member), _client_of(other_member)
    mine = first.get(LIST, SEARCH).content.decode()
    assert 'aria-pressed="true" data-interest-kind="hear"' in mine
    theirs = second.get(LIST, SEARCH).content.decode()
    assert 'aria-pressed="true"' not in theirs
    # Forms in the cached rows carry each visitor's own CSRF token, never a cached one.
    assert "csrf0marker" not in theirs
    assert second.cookies["csrftoken"].value not in mine


def test_only_organizers_get_the_dismiss_buttons(member, organizer):
    _papers(1)
    members, organizers = _client_of(member), _client_of(organizer)
    assert "data-paper-action" not in members.get(LIST, SEARCH).content.decode()
    assert 'data-paper-action="dismiss"' in organizers.get(LIST, SEARCH).content.decode()
    assert "data-paper-action" not in members.get(LIST, SEARCH).content.decode()


def test_the_forms_next_is_the_address_asked_for(member_client):
    _papers(1)
    member_client.get(LIST, SEARCH)
    page = member_client.get(LIST, {**SEARCH, "sort": "date"}).content.decode()
    assert 'name="next" value="/papers/?q=' in page
    assert "sort=date" in page
