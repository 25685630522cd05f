"""The board's add-topic form takes a pasted arXiv link or id: a paper of the pool is linked, a
new one is added to the pool (arXiv served locally) and linked, a refused one keeps what was
typed. Assertions look at the database and the form's values, never at UI wording."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from papers.models import CandidatePaper
from seminar.models import Topic, Week
from tests.factories import CandidatePaperFactory, WeekFactory
from tests.papers.arxiv_feeds import (
    ATTENTION_ID,
    ATTENTION_TITLE,
    api_query,
    empty_feed,
    entry_feed,
    use_local_api,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture(autouse=True)
def local_api(settings, httpserver):
    return use_local_api(settings, httpserver)


def _week() -> Week:
    starts_at = datetime.combine(timezone.localdate() + timedelta(days=7), time(19), tzinfo=SEOUL)
    return WeekFactory(starts_at=starts_at, review_deadline=starts_at - timedelta(hours=20))


def _add(client, week: Week, paper: str, title: str = ""):
    return client.post(
        reverse("schedule_add_topic", args=[week.pk]),
        {"title": title, "paper": paper, "slot_count": "2"},
    )


def test_a_pasted_link_to_a_paper_in_the_pool_links_it_without_asking_arxiv(
    organizer_client, httpserver
):
    week = _week()
    paper = CandidatePaperFactory(arxiv_id="2505.17612", title="환각 줄이기")
    response = _add(organizer_client, week, "https://arxiv.org/abs/2505.17612v3")
    topic = Topic.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#topic-{topic.pk}")
    assert (topic.title, topic.paper) == ("환각 줄이기", paper)
    paper.refresh_from_db()
    assert paper.status == CandidatePaper.Status.SCHEDULED
    assert httpserver.log == []


def test_a_pasted_link_to_a_new_paper_adds_it_to_the_pool_and_links_it(
    organizer_client, httpserver
):
    httpserver.expect_request("/api/query", query_string=api_query(ATTENTION_ID)).respond_with_data(
        entry_feed()
    )
    week = _week()
    response = _add(organizer_client, week, f"https://arxiv.org/abs/{ATTENTION_ID}")
    assert response.status_code == 302
    paper = CandidatePaper.objects.get(arxiv_id=ATTENTION_ID)
    assert paper.title == ATTENTION_TITLE
    assert paper.abstract.startswith("The dominant sequence transduction models")
    assert paper.status == CandidatePaper.Status.SCHEDULED
    topic = Topic.objects.get()
    assert (topic.title, topic.paper) == (ATTENTION_TITLE, paper)


def test_a_paper_arxiv_does_not_know_adds_nothing_and_keeps_what_was_typed(
    organizer_client, httpserver
):
    httpserver.expect_request("/api/query").respond_with_data(empty_feed("2501.99999"))
    week = _week()
    response = _add(organizer_client, week, "arXiv:2501.99999", title="내가 쓴 제목")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="내가 쓴 제목"' in html
    assert 'value="arXiv:2501.99999"' in html
    assert "2501.99999" in html.split('name="paper"')[1].split("</div>")[0]  # the reason
    assert not Topic.objects.exists()
    assert not CandidatePaper.objects.exists()


def test_text_that_is_no_arxiv_reference_is_refused_without_asking_arxiv(
    organizer_client, httpserver
):
    week = _week()
    response = _add(organizer_client, week, "see https://example.org/x", title="제목")
    assert response.status_code == 200
    assert 'value="see https://example.org/x"' in response.content.decode()
    assert not Topic.objects.exists()
    assert httpserver.log == []


def test_members_cannot_add_papers_through_the_board(member_client, httpserver):
    week = _week()
    response = _add(member_client, week, f"https://arxiv.org/abs/{ATTENTION_ID}")
    assert response.status_code == 403
    assert not CandidatePaper.objects.exists()
    assert httpserver.log == []
