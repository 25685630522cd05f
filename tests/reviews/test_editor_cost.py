"""The editor's cost: its shared parts are cached by data version, the draft never is, and
its inputs are drawn without the widget templates but exactly as they were."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from papers.models import CandidatePaper
from reviews import weekpage
from reviews.forms import render_field, section_formset
from tests.factories import (
    CandidatePaperFactory,
    PaperSummaryFactory,
    ReviewerSlotFactory,
    ReviewFactory,
    ReviewSectionFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.clock_sensitive,
    pytest.mark.usefixtures("empty_cache"),
]


@pytest.fixture
def slot(member):
    paper = CandidatePaperFactory(title="Original title")
    PaperSummaryFactory(paper=paper, sections=[{"heading": "요약", "body": "첫 요약"}])
    return ReviewerSlotFactory(reviewer=member, topic__paper=paper)


def _edit(slot) -> str:
    return reverse("review_edit", args=[slot.pk])


def _autosave(client, slot, sections, version):
    data = {"sections-TOTAL_FORMS": str(len(sections)), "sections-INITIAL_FORMS": "0"}
    data["version"] = version
    for i, (heading, body) in enumerate(sections):
        data[f"sections-{i}-heading"], data[f"sections-{i}-body"] = heading, body
    return client.post(reverse("review_autosave", args=[slot.pk]), data)


def test_the_summary_panel_follows_a_write(member_client, slot):
    assert "Original title" in member_client.get(_edit(slot)).content.decode()
    CandidatePaper.objects.filter(pk=slot.topic.paper_id).update(title="New title")
    PaperSummaryFactory(paper=slot.topic.paper, sections=[{"heading": "새 요약", "body": "둘째"}])
    page = member_client.get(_edit(slot)).content.decode()
    assert "New title" in page and "새 요약" in page


def test_the_draft_is_always_read_fresh(member_client, slot):
    first = _autosave(member_client, slot, [("문제 정의", "처음 쓴 글")], "")
    assert first.status_code == 200
    assert "처음 쓴 글" in member_client.get(_edit(slot)).content.decode()
    # An autosave bumps no data version: the page must still show the new text.
    second = _autosave(member_client, slot, [("문제 정의", "고쳐 쓴 글")], first.json()["version"])
    assert second.status_code == 200
    page = member_client.get(_edit(slot)).content.decode()
    assert "고쳐 쓴 글" in page and "처음 쓴 글" not in page
    assert second.json()["version"] in page


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_sections_or_summaries(member_client, member, slot):
    review = ReviewFactory(slot=slot, author=member)
    ReviewSectionFactory(review=review, order=1)
    cache.clear()
    cold, warm = _count(member_client, _edit(slot)), _count(member_client, _edit(slot))
    for order in range(2, 8):
        ReviewSectionFactory(review=review, order=order, body=f"본문 {order}")
    for n in range(3):
        PaperSummaryFactory(paper=slot.topic.paper, sections=[{"heading": f"h{n}", "body": "b"}])
    cache.clear()
    assert (_count(member_client, _edit(slot)), _count(member_client, _edit(slot))) == (
        cold,
        warm,
    )
    assert warm < cold


def test_the_autosave_queries_do_not_grow_with_sections(member_client, slot):
    version = _autosave(member_client, slot, [("a", "1")], "").json()["version"]
    counts = []
    for sections in ([("a", "2")], [(f"h{n}", f"본문 {n}") for n in range(8)]):
        with CaptureQueriesContext(connection) as queries:
            response = _autosave(member_client, slot, sections, version)
        assert response.status_code == 200
        version = response.json()["version"]
        counts.append(len(queries))
    assert counts[0] == counts[1]


def _client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_others_cannot_open_a_warm_editor(member, organizer, slot):
    owner = _client_of(member)
    _autosave(owner, slot, [("문제 정의", "나만 보는 초안")], "")
    assert "You are editing" not in owner.get(_edit(slot)).content.decode()
    assert _client_of(UserFactory()).get(_edit(slot)).status_code == 403
    # An organizer may edit it, and is told whose review it is; the owner still is not.
    page = _client_of(organizer).get(_edit(slot)).content.decode()
    assert "나만 보는 초안" in page and "as an organizer" in page
    assert "You are editing" not in owner.get(_edit(slot)).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "sections-TOTAL_FORMS": "2",
            "sections-INITIAL_FORMS": "0",
            "sections-0-heading": "h" * 50,
            "sections-0-body": '\n<b>lead</b> & "quotes"',
            "sections-1-heading": "끝.",
            "sections-1-body": "",
        },
    ],
)
def test_inputs_are_drawn_exactly_as_the_widgets_draw_them(data):
    if data is None:
        formset = section_formset(sections=[weekpage.ReviewSection('a<b"&', "x\n<y>&")])
    else:
        formset = section_formset(data)
        formset.is_valid()
    for form in [*formset.forms, formset.empty_form]:
        assert str(render_field(form["heading"])) == str(form["heading"])
        textarea = str(form["body"])
        textarea = textarea[textarea.index("<textarea") : textarea.index("</textarea>") + 11]
        assert str(render_field(form["body"])) == textarea
    for field in formset.management_form:
        assert str(render_field(field)) == str(field)
