"""The review editor: forms, saving, submitting, and never losing what was typed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from reviews import services
from reviews.models import Review
from reviews.weekpage import ReviewSection
from seminar.models import Week
from tests.factories import ReviewerSlotFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def slot(member):
    return ReviewerSlotFactory(reviewer=member, topic__order=2, number=1)


def _form(sections, action="save", version=""):
    data = {
        "sections-TOTAL_FORMS": str(len(sections)),
        "sections-INITIAL_FORMS": str(len(sections)),
        "action": action,
        "version": version,
    }
    for i, (heading, body) in enumerate(sections):
        data[f"sections-{i}-heading"] = heading
        data[f"sections-{i}-body"] = body
    return data


THREE = [("문제 정의", "첫째 $a+b$"), ("해결 방법", "둘째"), ("리뷰", "셋째")]


def _url(slot) -> str:
    return reverse("review_edit", args=[slot.pk])


def test_new_review_starts_with_the_default_headings(member_client, slot, settings):
    settings.SEMINAR_DEFAULT_REVIEW_HEADINGS = ["Problem", "Method", "Review"]
    response = member_client.get(_url(slot))
    assert response.status_code == 200
    html = response.content.decode()
    headings = re.findall(r'name="sections-\d+-heading"[^>]*value="([^"]*)"', html)
    assert headings == ["Problem", "Method", "Review"]
    assert 'name="sections-TOTAL_FORMS" value="3"' in html
    # three sections, and the blank one the script copies from a <template>
    assert html.count('class="section-body markdownx-editor"') == 4
    assert 'name="sections-__prefix__-body"' in html
    assert 'data-markdownx-urls-path="/markdownx/markdownify/"' in html
    assert "markdownx/js/markdownx" in html
    assert "vendor/katex/katex.min.js" in html
    assert "js/review-editor.js" in html


def test_editor_pages_have_no_inline_script_or_style(member_client, slot):
    html = member_client.get(_url(slot)).content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_save_draft_stores_sections_in_order_and_comes_back_to_the_editor(member_client, slot):
    response = member_client.post(_url(slot), _form(THREE))
    assert response.status_code == 302
    assert response["Location"] == _url(slot)
    review = Review.objects.get(slot=slot)
    assert review.status == "draft"
    assert [(s.order, s.heading, s.body) for s in review.sections.all()] == [
        (1, "문제 정의", "첫째 $a+b$"),
        (2, "해결 방법", "둘째"),
        (3, "리뷰", "셋째"),
    ]
    html = member_client.get(_url(slot)).content.decode()
    assert "Draft saved at" in html
    assert "첫째 $a+b$" in html
    assert '<span class="math">$a+b$</span>' in html  # the preview, rendered server-side


def test_submit_publishes_and_goes_to_the_review_on_the_week_page(member_client, slot):
    response = member_client.post(_url(slot), _form(THREE, action="submit"))
    assert response["Location"] == (
        f"{slot.topic.week.get_absolute_url()}#topic-{slot.topic.order}-review-{slot.number}"
    )
    assert Review.objects.get(slot=slot).status == "submitted"
    week_page = member_client.get(response["Location"]).content.decode()
    assert "Your review was submitted" in week_page
    assert "3. 리뷰" in week_page


def test_invalid_post_renders_everything_typed_again(member_client, slot):
    too_long = "가" * 41
    response = member_client.post(_url(slot), _form([(too_long, "긴 제목의 본문"), *THREE[1:]]))
    assert response.status_code == 200
    html = response.content.decode()
    assert too_long in html
    assert "긴 제목의 본문" in html
    assert "셋째" in html
    assert "errorlist" in html
    assert not Review.objects.exists()


def test_post_after_a_refusing_deadline_keeps_the_text_and_says_why(member_client, slot):
    Week.objects.filter(pk=slot.topic.week_id).update(late_policy=Week.LatePolicy.REFUSE)
    with time_machine.travel(slot.topic.week.review_deadline + timedelta(minutes=5)):
        response = member_client.post(_url(slot), _form(THREE, action="submit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "does not accept late reviews" in html
    for _, body in THREE:
        assert body in html
    assert not Review.objects.exists()


def test_late_submission_is_accepted_and_marked(member_client, slot):
    with time_machine.travel(slot.topic.week.review_deadline + timedelta(hours=2)):
        response = member_client.post(_url(slot), _form(THREE, action="submit"), follow=True)
    assert "after the deadline" in response.content.decode()
    review = Review.objects.get(slot=slot)
    assert (review.status, review.is_late) == ("submitted", True)


def test_empty_submission_is_refused_with_the_form_kept(member_client, slot):
    response = member_client.post(_url(slot), _form([("문제 정의", ""), ("리뷰", " ")], "submit"))
    assert response.status_code == 200
    assert "Write something before submitting." in response.content.decode()
    assert 'value="문제 정의"' in response.content.decode()


def test_stale_window_gets_a_conflict_then_may_overwrite_deliberately(member_client, slot):
    elsewhere = [ReviewSection("다른 창", "다른 창의 글")]
    services.save_draft(slot=slot, sections=elsewhere, actor=slot.reviewer)
    response = member_client.post(_url(slot), _form(THREE, version=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert "changed in another window" in html
    assert "첫째 $a+b$" in html
    version = re.search(r'name="version" value="([^"]*)"', html)[1]
    assert version == services.version_of(Review.objects.get(slot=slot))
    assert member_client.post(_url(slot), _form(THREE, version=version)).status_code == 302
    assert [s.body for s in Review.objects.get(slot=slot).sections.all()] == [
        "첫째 $a+b$",
        "둘째",
        "셋째",
    ]


@pytest.mark.parametrize(
    ("action", "headings"),
    [
        ("up:sections-1", ["해결 방법", "문제 정의", "리뷰"]),
        ("down:sections-1", ["문제 정의", "리뷰", "해결 방법"]),
        ("remove:sections-0", ["해결 방법", "리뷰"]),
        ("add", ["문제 정의", "해결 방법", "리뷰", ""]),
    ],
)
def test_section_buttons_work_without_javascript(member_client, slot, action, headings):
    response = member_client.post(_url(slot), _form(THREE, action=action))
    assert response.status_code == 200
    html = response.content.decode()
    found = re.findall(r'name="sections-\d+-heading"(?:[^>]*value="([^"]*)")?', html)
    assert found == headings
    assert not Review.objects.exists()  # rearranging alone saves nothing


def test_submitted_review_shows_update_instead_of_draft_buttons(member_client, slot):
    services.submit_review(slot=slot, sections=[ReviewSection("리뷰", "끝")], actor=slot.reviewer)
    html = member_client.get(_url(slot)).content.decode()
    assert "Update review" in html
    assert "Save draft" not in html
    assert 'data-autosave="off"' in html


def test_signed_out_post_goes_to_sign_in_and_back_to_the_editor(client, slot):
    response = client.post(_url(slot), _form(THREE))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={_url(slot)}"


def test_editor_shows_the_papers_latest_summary_rendered_safely(member_client, slot):
    from tests.factories import CandidatePaperFactory, DigestFactory, PaperSummaryFactory

    paper = CandidatePaperFactory(title="A paper")
    old = DigestFactory(date="2025-05-01")
    new = DigestFactory(date="2025-05-20")
    PaperSummaryFactory(paper=paper, digest=old, sections=[{"heading": "옛", "body": "지난 요약"}])
    PaperSummaryFactory(
        paper=paper,
        digest=new,
        sections=[{"heading": "요약", "body": "**새** 요약 <script>alert(1)</script>"}],
    )
    slot.topic.paper = paper
    slot.topic.save()
    html = member_client.get(_url(slot)).content.decode()
    assert "<strong>새</strong> 요약" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "지난 요약" not in html


# --- autosave ------------------------------------------------------------------------------


def _autosave(slot) -> str:
    return reverse("review_autosave", args=[slot.pk])


def test_autosave_saves_the_draft_and_answers_json(member_client, slot):
    response = member_client.post(_autosave(slot), _form(THREE))
    assert response.status_code == 200
    body = response.json()
    review = Review.objects.get(slot=slot)
    assert body["status"] == "draft"
    assert body["version"] == services.version_of(review)
    assert re.fullmatch(r"\d\d:\d\d", body["saved_at"])
    assert review.sections.count() == 3
    again = member_client.post(_autosave(slot), _form(THREE[:1], version=body["version"]))
    assert again.status_code == 200
    assert review.sections.count() == 1


def test_autosave_reports_problems_as_json(member_client, slot):
    invalid = member_client.post(_autosave(slot), _form([("가" * 41, "x")]))
    assert invalid.status_code == 400
    assert invalid.json()["code"] == "invalid"
    services.save_draft(slot=slot, sections=[ReviewSection("a", "b")], actor=slot.reviewer)
    conflict = member_client.post(_autosave(slot), _form(THREE, version="stale"))
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "conflict"
    assert [s.body for s in Review.objects.get(slot=slot).sections.all()] == ["b"]


def test_autosave_after_a_refusing_deadline_is_refused(member_client, slot):
    Week.objects.filter(pk=slot.topic.week_id).update(late_policy=Week.LatePolicy.REFUSE)
    with time_machine.travel(slot.topic.week.review_deadline + timedelta(minutes=1)):
        response = member_client.post(_autosave(slot), _form(THREE))
    assert response.status_code == 400
    assert response.json()["code"] == "deadline"


def test_autosave_never_touches_a_submitted_review(member_client, slot):
    services.submit_review(slot=slot, sections=[ReviewSection("리뷰", "끝")], actor=slot.reviewer)
    version = services.version_of(Review.objects.get(slot=slot))
    response = member_client.post(_autosave(slot), _form(THREE, version=version))
    assert response.status_code == 400
    assert response.json()["code"] == "submitted"
    assert [s.body for s in Review.objects.get(slot=slot).sections.all()] == ["끝"]


def test_autosave_for_a_signed_out_visitor_is_401_json_not_a_redirect(client, slot):
    response = client.post(_autosave(slot), _form(THREE))
    assert response.status_code == 401
    assert response.json()["code"] == "signed_out"


def test_editor_after_the_deadline_says_a_submitted_review_is_final(member_client, slot):
    services.submit_review(slot=slot, sections=[ReviewSection("리뷰", "끝")], actor=slot.reviewer)
    with time_machine.travel(slot.topic.week.review_deadline + timedelta(minutes=1)):
        html = member_client.get(_url(slot)).content.decode()
    assert "nothing here can be saved any more" in html
    assert "data-submit" not in html
    assert 'data-autosave="off"' in html
