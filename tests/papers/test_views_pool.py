"""The candidate pool pages: list, detail, interest marks, dismiss and restore."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from papers.models import CandidatePaper, PaperInterest
from tests.factories import (
    CandidatePaperFactory,
    DigestFactory,
    PaperSummaryFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/papers/"


@pytest.fixture
def member(member):
    member.language = "en"  # pages follow the member's language; assertions are in English
    member.save(update_fields=["language"])
    return member


def _papers(count: int) -> list[CandidatePaper]:
    papers = []
    for n in range(count):
        paper = CandidatePaperFactory(votes=n)
        PaperSummaryFactory(paper=paper, sections=[{"heading": "요약", "body": f"내용 {n}"}])
        papers.append(paper)
    return papers


def _listed(response) -> list[str]:
    # From the HTML: a page served from the cache has no template context to read.
    return re.findall(r'class="card pool-item" data-arxiv-id="([^"]+)"', response.content.decode())


# --- the list -------------------------------------------------------------------------------


def test_the_list_needs_a_signed_in_member(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_takes_the_same_queries_for_one_paper_or_three(
    member_client, member, other_member, django_assert_num_queries, count
):
    for paper in _papers(count):
        PaperInterest.objects.create(paper=paper, member=other_member, kind="hear")
        PaperInterest.objects.create(paper=paper, member=member, kind="present")
    # Member (with the organizer check), data version, count, page.
    with django_assert_num_queries(4):
        response = member_client.get(LIST)
    assert response.status_code == 200
    assert len(response.context["papers"]) == count


def test_a_search_page_takes_the_same_queries_for_one_paper_or_three(
    member_client, django_assert_num_queries
):
    for count in (1, 3):
        CandidatePaper.objects.all().delete()
        for paper in _papers(count):
            paper.title = f"강화 학습 {paper.pk}"
            paper.save()
        with django_assert_num_queries(4):
            response = member_client.get(LIST, {"q": "강화 학습", "sort": "interest"})
        assert len(response.context["papers"]) == count


def test_the_list_shows_newest_digest_first_with_counts_and_marks(member_client, member):
    old = CandidatePaperFactory(title="Older paper", last_digest_date=date(2025, 5, 1))
    new = CandidatePaperFactory(title="Newer paper", last_digest_date=date(2025, 5, 20))
    for _ in range(2):
        PaperInterest.objects.create(paper=old, member=UserFactory(), kind="hear")
    PaperInterest.objects.create(paper=old, member=member, kind="present")
    response = member_client.get(LIST)
    assert _listed(response) == [new.arxiv_id, old.arxiv_id]
    listed_old = response.context["papers"][1]
    assert (listed_old.interest_hear, listed_old.interest_present) == (2, 1)
    assert (listed_old.my_hear, listed_old.my_present) == (False, True)
    html = response.content.decode()
    assert 'aria-pressed="true"' in html
    assert f'href="/papers/{old.arxiv_id}/"' in html
    assert "js/papers.js" in html


def test_the_list_filters_and_sorts(member_client):
    a = CandidatePaperFactory(title="A", votes=5, last_digest_date=date(2025, 5, 1))
    b = CandidatePaperFactory(title="B", votes=50, last_digest_date=date(2025, 4, 1))
    c = CandidatePaperFactory(title="C", votes=None, last_digest_date=date(2025, 5, 10))
    d = CandidatePaperFactory(title="D", status="dismissed", last_digest_date=date(2025, 6, 1))
    PaperSummaryFactory(paper=a, digest=DigestFactory(date=date(2025, 5, 1)))
    PaperSummaryFactory(paper=b, digest=DigestFactory(date=date(2025, 4, 1)))
    PaperInterest.objects.create(paper=b, member=UserFactory(), kind="hear")
    PaperInterest.objects.create(paper=b, member=UserFactory(), kind="present")
    PaperInterest.objects.create(paper=c, member=UserFactory(), kind="hear")

    def listed(**params):
        return _listed(member_client.get(LIST, params))

    assert listed() == [c.arxiv_id, a.arxiv_id, b.arxiv_id]  # dismissed papers are hidden
    assert listed(status="all") == [d.arxiv_id, c.arxiv_id, a.arxiv_id, b.arxiv_id]
    assert listed(status="dismissed") == [d.arxiv_id]
    assert listed(sort="votes") == [b.arxiv_id, a.arxiv_id, c.arxiv_id]  # no votes last
    assert listed(sort="interest") == [b.arxiv_id, c.arxiv_id, a.arxiv_id]
    assert listed(summary="yes") == [a.arxiv_id, b.arxiv_id]
    assert listed(summary="no") == [c.arxiv_id]
    assert listed(seen_from="2025-04-15", seen_to="2025-05-15") == [a.arxiv_id]
    # Values that make no sense are ignored, not errors.
    assert listed(sort="nonsense", status="bogus", seen_from="yesterday") == listed()


def test_the_list_pages_by_thirty(member_client):
    for n in range(31):
        CandidatePaperFactory(last_digest_date=date(2025, 1, 1) + timedelta(days=n))
    first = member_client.get(LIST)
    assert len(first.context["papers"]) == 30
    assert "page=2" in first.content.decode()
    second = member_client.get(LIST, {"page": 2})
    assert len(second.context["papers"]) == 1
    assert member_client.get(LIST, {"page": "99"}).context["page"].number == 2


def test_the_list_shows_a_teaser_and_the_nav_link(member_client):
    paper = CandidatePaperFactory(title="Agents")
    PaperSummaryFactory(
        paper=paper,
        sections=[{"heading": "요약", "body": "- **에이전트**가 [도구](https://x.org)를 씁니다"}],
    )
    html = member_client.get(LIST).content.decode()
    assert "에이전트가 도구를 씁니다" in html
    assert 'href="/papers/" aria-current="page"' in html


# --- the detail page ------------------------------------------------------------------------


def test_the_detail_page_shows_every_summary_rendered_newest_first(member_client):
    paper = CandidatePaperFactory(title="Tool Agents", authors="Kim, Lee", votes=7)
    PaperSummaryFactory(
        paper=paper,
        digest=DigestFactory(date=date(2025, 5, 1)),
        sections=[{"heading": "핵심 동기", "body": "첫 번째 **요약**"}],
    )
    PaperSummaryFactory(
        paper=paper,
        digest=DigestFactory(date=date(2025, 5, 20)),
        sections=[{"heading": "Method", "body": "Second *summary* with $x^2$"}],
    )
    response = member_client.get(paper.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>요약</strong>" in html
    assert "<em>summary</em>" in html
    assert '<span class="math">$x^2$</span>' in html
    assert html.index("Digest of 2025-05-20") < html.index("Digest of 2025-05-01")
    assert "https://arxiv.org/pdf/" in html
    assert "Not scheduled yet." in html


def test_the_detail_page_never_serves_stale_summary_html(member_client):
    summary = PaperSummaryFactory(sections=[{"heading": "요약", "body": "before"}])
    url = summary.paper.get_absolute_url()
    assert "before" in member_client.get(url).content.decode()
    summary.sections = [{"heading": "요약", "body": "after"}]
    summary.save()
    html = member_client.get(url).content.decode()
    assert "after" in html
    assert "before" not in html


def test_the_detail_page_says_where_the_paper_was_presented_or_is_scheduled(member_client):
    paper = CandidatePaperFactory(title="Tool Agents", status="scheduled")
    now = timezone.now()
    past = WeekFactory(number=12, starts_at=now - timedelta(days=7))
    future = WeekFactory(number=15, starts_at=now + timedelta(days=14))
    TopicFactory(week=past, paper=paper, title=paper.title)
    TopicFactory(week=future, paper=paper, title=paper.title)
    html = member_client.get(paper.get_absolute_url()).content.decode()
    assert "Presented in week 12" in html
    assert "Scheduled for week 15" in html
    assert f'href="/weeks/{past.pk}/"' in html
    assert 'data-topic-state="presented"' in html
    assert 'data-topic-state="scheduled"' in html


def test_markup_in_imported_text_is_inert(member_client):
    paper = CandidatePaperFactory(
        title="<script>alert('title')</script>", authors="<img src=x onerror=alert(1)>"
    )
    PaperSummaryFactory(
        paper=paper,
        title="<b>given</b>",
        sections=[
            {
                "heading": "<script>alert('heading')</script>",
                "body": "<script>alert('body')</script> <img src=x onerror=alert(2)> "
                "[link](javascript:alert(3))",
            }
        ],
    )
    for url in (paper.get_absolute_url(), LIST):
        html = member_client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert not re.search(r"<[a-z]+[^<>]*\son[a-z]+=", html)  # no event handler attribute
        assert 'href="javascript:' not in html
    detail = member_client.get(paper.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in detail
    assert "&lt;script&gt;alert('body')&lt;/script&gt;" in detail  # shown as text


def test_an_old_style_id_with_a_slash_has_its_own_pages(member_client, member):
    paper = CandidatePaperFactory(arxiv_id="hep-th/9901001", title="Old physics")
    assert paper.get_absolute_url() == "/papers/hep-th/9901001/"
    response = member_client.get("/papers/hep-th/9901001/")
    assert response.status_code == 200
    assert response.context["paper"] == paper
    member_client.post("/papers/hep-th/9901001/interest/", {"kind": "hear", "marked": "1"})
    assert PaperInterest.objects.filter(paper=paper, member=member, kind="hear").exists()


def test_an_unknown_paper_is_404(member_client):
    assert member_client.get("/papers/2505.99999/").status_code == 404
    assert member_client.post("/papers/2505.99999/interest/", {"kind": "hear"}).status_code == 404


# --- interest marks -------------------------------------------------------------------------


def test_a_member_marks_and_unmarks_interest(member_client, member):
    paper = CandidatePaperFactory()
    url = f"/papers/{paper.arxiv_id}/interest/"
    response = member_client.post(url, {"kind": "hear", "marked": "1", "next": "/papers/?q=x"})
    assert response.status_code == 302
    assert response["Location"] == "/papers/?q=x"
    member_client.post(url, {"kind": "hear", "marked": "1"})  # a double click changes nothing
    member_client.post(url, {"kind": "present"})  # no `marked`: a toggle
    assert sorted(PaperInterest.objects.values_list("kind", flat=True)) == ["hear", "present"]
    response = member_client.post(url, {"kind": "hear", "marked": "0"})
    assert response["Location"] == paper.get_absolute_url()
    member_client.post(url, {"kind": "present"})
    assert not PaperInterest.objects.exists()


def test_interest_answers_json_to_the_page_script(member_client, other_member):
    paper = CandidatePaperFactory()
    PaperInterest.objects.create(paper=paper, member=other_member, kind="hear")
    response = member_client.post(
        f"/papers/{paper.arxiv_id}/interest/",
        {"kind": "hear", "marked": "1"},
        HTTP_ACCEPT="application/json",
    )
    assert response.json() == {
        "kind": "hear",
        "marked": True,
        "interest_hear": 2,
        "interest_present": 0,
    }


def test_interest_marks_refuse_bad_requests(client, member_client):
    paper = CandidatePaperFactory()
    url = f"/papers/{paper.arxiv_id}/interest/"
    assert member_client.get(url).status_code == 405
    assert member_client.post(url, {"kind": "love"}).status_code == 400
    assert member_client.post(url, {"kind": "hear", "next": "https://evil.example/"})[
        "Location"
    ] == (paper.get_absolute_url())
    client.logout()
    response = client.post(url, {"kind": "hear"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert PaperInterest.objects.count() == 1


def test_interest_posts_need_the_csrf_token(member):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    paper = CandidatePaperFactory()
    response = strict.post(f"/papers/{paper.arxiv_id}/interest/", {"kind": "hear"})
    assert response.status_code == 403
    assert not PaperInterest.objects.exists()


# --- dismiss and restore --------------------------------------------------------------------


def test_an_organizer_dismisses_and_restores_a_candidate(organizer_client):
    paper = CandidatePaperFactory(edited_fields=["title"])
    url = f"/papers/{paper.arxiv_id}/status/"
    response = organizer_client.post(url, {"action": "dismiss", "next": LIST})
    assert response["Location"] == LIST
    paper.refresh_from_db()
    assert paper.status == "dismissed"
    assert paper.edited_fields == ["title"]  # the importer never writes status
    assert "was dismissed" in organizer_client.get(LIST).content.decode()
    organizer_client.post(url, {"action": "restore"})
    paper.refresh_from_db()
    assert paper.status == "candidate"


def test_the_dismiss_button_is_for_organizers_only(organizer_client, client, member):
    CandidatePaperFactory()
    assert 'data-paper-action="dismiss"' in organizer_client.get(LIST).content.decode()
    client.force_login(member)
    assert 'data-paper-action="dismiss"' not in client.get(LIST).content.decode()


def test_members_and_visitors_cannot_dismiss(client, member):
    paper = CandidatePaperFactory()
    url = f"/papers/{paper.arxiv_id}/status/"
    anonymous = client.post(url, {"action": "dismiss"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    client.force_login(member)
    assert client.post(url, {"action": "dismiss"}).status_code == 403
    paper.status = "dismissed"
    paper.save()
    assert client.post(url, {"action": "restore"}).status_code == 403
    paper.refresh_from_db()
    assert paper.status == "dismissed"


def test_a_scheduled_paper_cannot_be_dismissed(organizer_client):
    paper = CandidatePaperFactory(status="scheduled")
    response = organizer_client.post(f"/papers/{paper.arxiv_id}/status/", {"action": "dismiss"})
    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.status == "scheduled"
    page = organizer_client.get(response["Location"]).content.decode()
    assert "cannot be dismissed or restored" in page
    assert organizer_client.post(f"/papers/{paper.arxiv_id}/status/", {}).status_code == 400
