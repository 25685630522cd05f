"""A member's week in the browser: sign in, take a slot, write, save, reload, submit, read.

Real server (pytest-django's live_server), real database, Debian's Chromium.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from reviews.models import Review
from tests.browser.conftest import make_member, sign_in
from tests.factories import ReviewerSlotFactory, TopicFactory

EDITOR_URL = re.compile(r"/slots/\d+/review/$")


def claim_first_open_slot(page: Page) -> None:
    """Take the first open slot and wait until the editor has loaded its scripts.

    Typing before the deferred editor script has attached its listeners would go unsaved;
    `wait_for_url` waits for the load event, which comes after deferred scripts ran.
    """
    page.click("button[data-claim]")
    page.wait_for_url(EDITOR_URL)


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def topic():
    topic = TopicFactory(order=1, title="Spurious Rewards", presenter=make_member(name="발표자"))
    ReviewerSlotFactory(topic=topic, number=1)
    ReviewerSlotFactory(topic=topic, number=2)
    return topic


def _values(locator) -> list[str]:
    return locator.evaluate_all("elements => elements.map(element => element.value)")


def _fail_on_dialog(page: Page) -> list[str]:
    """Dialogs that opened (alert() from injected script would be one), and any console
    error about the Content-Security-Policy: both lists must stay empty."""
    problems: list[str] = []

    def record(dialog) -> None:
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP: {message.text}")

    page.on("dialog", record)
    page.on("console", console)
    return problems


def test_member_claims_writes_saves_reloads_submits_and_others_cannot_edit(
    page: Page, live_server, topic, browser
):
    problems = _fail_on_dialog(page)
    member = make_member(name="박민경")
    sign_in(page, live_server, member)

    # Take the first open slot from the dashboard: straight into the editor.
    claim_first_open_slot(page)
    expect(page).to_have_url(re.compile(r"/slots/\d+/review/$"))
    editor_url = page.url
    sections = page.locator("[data-section]")
    expect(sections).to_have_count(3)
    # The built-in headings, in the member's language (English here).
    assert _values(sections.locator(".section-heading")) == ["Problem", "Method", "Review"]

    # Three sections, each previewed live (markdown and KaTeX math).
    bodies = sections.locator("textarea")
    bodies.nth(0).fill("보상이 **무작위**여도 성능이 오른다.")
    bodies.nth(1).fill(
        "GRPO 목적함수 $$\\mathbb{E}[\\min(\\rho A, \\operatorname{clip}(\\rho) A)]$$"
    )
    bodies.nth(2).fill("- Qwen에서만\n- 재현 필요")
    previews = sections.locator(".markdownx-preview")
    expect(previews.nth(0).locator("strong")).to_have_text("무작위")
    expect(previews.nth(1).locator(".katex-display")).to_be_visible()
    expect(previews.nth(2).locator("li")).to_have_count(2)

    # Rename and reorder: the numbers follow the order.
    sections.nth(2).locator(".section-heading").fill("총평")
    sections.nth(2).locator("[data-move=up]").click()
    expect(sections.locator("[data-section-number]")).to_have_text(["1.", "2.", "3."])
    assert _values(sections.locator(".section-heading")) == ["Problem", "총평", "Method"]

    # Save the draft, reload, and it is all there.
    page.click("button[data-save-draft]")
    expect(page.locator(".message-success")).to_contain_text("Draft saved at")
    page.reload()
    assert _values(sections.locator(".section-heading")) == ["Problem", "총평", "Method"]
    expect(bodies.nth(2)).to_have_value(re.compile(r"^GRPO 목적함수"))
    expect(previews.nth(2).locator(".katex-display")).to_be_visible()

    # Submit: the review is on the week page, numbered as written.
    page.click("button[data-submit]")
    expect(page.locator(".message-success")).to_contain_text("submitted")
    review_block = page.locator("#topic-1-review-1")
    expect(review_block.locator("h4")).to_have_text(["1. Problem", "2. 총평", "3. Method"])
    expect(review_block.locator("strong", has_text="무작위")).to_be_visible()
    expect(review_block.locator(".katex-display")).to_be_visible()
    assert Review.objects.get().status == "submitted"

    # Another member reads it but may not edit it.
    other_context = browser.new_context(viewport={"width": 1100, "height": 900})
    other = other_context.new_page()
    sign_in(other, live_server, make_member(name="조재현"))
    other.goto(f"{live_server.url}{topic.week.get_absolute_url()}")
    expect(other.locator("#topic-1-review-1")).to_contain_text("무작위")
    expect(other.locator("#topic-1-review-1 [data-edit]")).to_have_count(0)
    response = other.goto(editor_url)
    assert response is not None and response.status == 403
    other_context.close()
    assert problems == []


def test_typed_text_survives_a_lost_session(page: Page, live_server, topic):
    member = make_member(name="박민경")
    sign_in(page, live_server, member)
    claim_first_open_slot(page)
    editor_url = page.url
    body = page.locator("[data-section] textarea").first
    body.fill("첫 문장.")
    expect(page.locator("[data-save-status]")).to_contain_text("Saved at")

    page.context.clear_cookies()  # the session expires while the member types
    body.fill("첫 문장. 세션이 끊긴 뒤에 쓴 문장.")
    expect(page.locator("[data-save-status]")).to_contain_text("Not saved")

    page.goto(editor_url)  # back through the sign-in page
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", "a-browser-test-passphrase")
    page.click("form button[type=submit]")
    page.wait_for_url(editor_url)
    expect(body).to_have_value("첫 문장.")
    expect(page.locator("#restore-banner")).to_be_visible()
    # The page already says "Saved at" for the draft it loaded: wait for the autosave of the
    # restored text itself, not for the label.
    with page.expect_response(
        lambda r: r.url.endswith("/autosave/") and r.request.method == "POST" and r.ok
    ):
        page.click("[data-restore]")
    expect(body).to_have_value("첫 문장. 세션이 끊긴 뒤에 쓴 문장.")
    expect(page.locator("[data-save-status]")).to_contain_text("Saved at")
    assert Review.objects.get().sections.first().body == "첫 문장. 세션이 끊긴 뒤에 쓴 문장."


def test_script_and_event_handlers_in_a_review_stay_inert_text(page: Page, live_server, topic):
    problems = _fail_on_dialog(page)
    hostile = '<script>alert(1)</script> <img src=x onerror="window.pwned=1;alert(2)">'
    member = make_member(name="박민경")
    sign_in(page, live_server, member)
    claim_first_open_slot(page)
    section = page.locator("[data-section]").first
    section.locator("textarea").fill(hostile)
    preview = section.locator(".markdownx-preview")
    expect(preview).to_contain_text("<script>alert(1)</script>")
    expect(preview).to_contain_text('<img src=x onerror="window.pwned=1;alert(2)">')
    page.click("button[data-submit]")
    review_block = page.locator("#topic-1-review-1")
    expect(review_block).to_contain_text("<script>alert(1)</script>")
    expect(review_block.locator("img")).to_have_count(0)
    assert page.evaluate("window.pwned") is None
    assert problems == []
