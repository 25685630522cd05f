"""Discussion in the browser (#15): a comment on a review with a mention picked from the
autocomplete, a reply, the mentioned member's bell, notification and one email, a question the
presenter marks answered, and the visibility rule between two reviewers of one topic.

Real server (pytest-django's live_server, PostgreSQL in CI), Debian's Chromium.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from reviews import services as review_services
from reviews.weekpage import ReviewSection
from seminar.models import Comment, Notification, ReminderPolicy
from tests.browser.conftest import make_member, sign_in
from tests.conftest import FIXED_INSTANT
from tests.factories import ReviewerSlotFactory, TopicFactory, WeekFactory

# The server's clock stands at FIXED_INSTANT (ticking), so the test reads the same on any day.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fixed_clock"),
]

FIRST_TEXT = "무작위 보상만으로도 성능이 오른다는 주장"


def _csp_and_dialog_problems(page: Page) -> list[str]:
    problems: list[str] = []

    def console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP: {message.text}")

    page.on("console", console)
    page.on("dialog", lambda dialog: dialog.accept())  # "Delete this comment?" only
    return problems


def test_comment_mention_reply_notification_question_and_visibility(browser, live_server):
    # No quiet hours today, whatever the hour this runs at: the mention's email leaves now.
    ReminderPolicy.objects.update_or_create(
        pk=1, defaults={"quiet_hours_start": time(0), "quiet_hours_end": time(0)}
    )
    now = FIXED_INSTANT
    week = WeekFactory(
        starts_at=now + timedelta(days=6),
        review_deadline=now + timedelta(days=5),
        hide_reviews_until_submitted=True,
    )
    presenter = make_member(name="발표자", email="presenter@example.com")
    author = make_member(name="김민수", email="a@example.com")  # A
    reviewer = make_member(name="이서연", email="b@example.com")  # B, reviewer 1
    mentioned = make_member(name="박지훈", email="c@example.com")  # C
    second = make_member(name="정다은", email="r2@example.com")  # reviewer 2
    topic = TopicFactory(week=week, order=1, title="Spurious Rewards", presenter=presenter)
    first_slot = ReviewerSlotFactory(topic=topic, number=1, reviewer=reviewer)
    second_slot = ReviewerSlotFactory(topic=topic, number=2, reviewer=second)
    review = review_services.submit_review(
        slot=first_slot, sections=[ReviewSection("리뷰", FIRST_TEXT)], actor=reviewer
    )
    mail.outbox.clear()

    # --- A comments on B's review and mentions C through the autocomplete -------------------
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-US")
    page = context.new_page()
    problems = _csp_and_dialog_problems(page)
    sign_in(page, live_server, author)
    page.goto(f"{live_server.url}/reviews/{review.pk}/")
    expect(page.locator(".review-page")).to_contain_text(FIRST_TEXT)
    box = page.locator("form[data-comment-form] textarea").last
    box.click()
    box.press_sequentially("좋은 지적이에요 @박지")
    option = page.locator(".mention-list [role=option]", has_text="박지훈")
    expect(option).to_be_visible()
    box.press("Enter")
    expect(box).to_have_value("좋은 지적이에요 @[박지훈] ")
    box.press_sequentially("님도 보세요")
    page.locator("form[data-comment-form] button[type=submit]").last.click()
    comment = Comment.objects.get(review=review)
    expect(page.locator(f"#comment-{comment.pk} .mention")).to_have_text("@박지훈")
    context.close()

    # --- B replies --------------------------------------------------------------------------
    context = browser.new_context(viewport={"width": 390, "height": 900}, locale="en-US")
    page = context.new_page()
    problems += _csp_and_dialog_problems(page)
    sign_in(page, live_server, reviewer)
    page.goto(f"{live_server.url}/reviews/{review.pk}/")
    page.click(f"[data-reply-to='{comment.pk}']")
    reply_box = page.locator(f"#comment-{comment.pk} .comment-reply-box textarea")
    reply_box.fill("고마워요, 다음 주에 더 얘기해요")
    page.locator(f"#comment-{comment.pk} .comment-reply-box button[type=submit]").click()
    expect(page.locator(f"#comment-{comment.pk} .comment-reply")).to_contain_text("고마워요")
    context.close()
    assert Notification.objects.filter(recipient=author, kind="reply").count() == 1

    # --- C sees the notification in the app, and got exactly one email -------------------------
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-US")
    page = context.new_page()
    problems += _csp_and_dialog_problems(page)
    sign_in(page, live_server, mentioned)
    bell = page.locator("[data-notification-bell] [data-unread-count]")
    expect(bell).to_be_visible()
    expect(bell.locator("[data-count-value]")).to_have_text("1")
    page.click("[data-notification-bell]")
    expect(page.locator(".notification-list")).to_contain_text("김민수 mentioned you")
    page.click(".notification-list a.row-title")
    expect(page).to_have_url(re.compile(rf"/reviews/{review.pk}/#comment-{comment.pk}$"))
    to_c = [m for m in mail.outbox if m.to == [mentioned.email]]
    assert len(to_c) == 1
    assert "List-Unsubscribe" in to_c[0].extra_headers
    context.close()

    # --- A files a question for the presenter, who marks it answered ---------------------------
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-US")
    page = context.new_page()
    problems += _csp_and_dialog_problems(page)
    sign_in(page, live_server, author)
    page.goto(f"{live_server.url}{week.get_absolute_url()}")
    page.click(f"[data-new-comment='{topic.pk}']")
    new_form = page.locator(f"[data-topic-discussion='{topic.pk}'] .comment-new form")
    new_form.get_by_label("Question for the presenter").check()
    new_form.locator("textarea").fill("Qwen 말고 다른 모델에서도 되나요?")
    new_form.locator("button[type=submit]").click()
    question = Comment.objects.get(kind="question")
    expect(page.locator(f"#comment-{question.pk}")).to_contain_text("Qwen 말고")
    context.close()

    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-US")
    page = context.new_page()
    problems += _csp_and_dialog_problems(page)
    sign_in(page, live_server, presenter)
    card = page.locator("[data-presenter-questions]")
    expect(card).to_contain_text("Qwen 말고")
    card.locator(f"[data-answer='{question.pk}']").click()
    expect(card.locator("[data-answered]")).to_be_visible()
    expect(card.locator(f"[data-answer='{question.pk}']")).to_have_text("Mark not answered")
    question.refresh_from_db()
    assert question.answered_by == presenter
    page.goto(f"{live_server.url}{week.get_absolute_url()}")
    expect(page.locator(f"#comment-{question.pk} [data-answered]")).to_be_visible()
    context.close()

    # --- reviewer 2 cannot read reviewer 1's review until they submit theirs --------------------
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-US")
    page = context.new_page()
    problems += _csp_and_dialog_problems(page)
    sign_in(page, live_server, second)
    page.goto(f"{live_server.url}{week.get_absolute_url()}")
    expect(page.locator(f"[data-review-hidden='{first_slot.pk}']")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(FIRST_TEXT)
    response = page.goto(f"{live_server.url}/reviews/{review.pk}/")
    assert response.status == 403
    expect(page.locator("main")).not_to_contain_text(FIRST_TEXT)
    page.goto(f"{live_server.url}/slots/{second_slot.pk}/review/")
    page.locator("[data-section] textarea").first.fill("두 번째 리뷰어의 독립적인 읽기")
    page.click("button[data-submit]")
    expect(page.locator(".message-success")).to_contain_text("submitted")
    page.goto(f"{live_server.url}{week.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text(FIRST_TEXT)
    context.close()

    assert problems == []
