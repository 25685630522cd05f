"""The week page's "copy for KakaoTalk" box in a real browser: the button appears with
JavaScript and puts the brief on the clipboard; CSP stays quiet."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import make_member, sign_in
from tests.factories import ReviewerSlotFactory, TopicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_copy_for_kakaotalk_puts_the_brief_on_the_clipboard(page: Page, live_server):
    topic = TopicFactory(order=1, title="Spurious Rewards", presenter=make_member(name="발표자"))
    ReviewerSlotFactory(topic=topic, number=1)
    member = make_member(name="회원")
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, live_server, member)
    page.goto(f"{live_server.url}/weeks/{topic.week.pk}/")

    page.click("summary:has-text('Brief for KakaoTalk')")
    button = page.locator("[data-brief-copy]")
    expect(button).to_be_visible()  # hidden without JavaScript
    text = page.locator("[data-brief-text]").input_value()
    assert "1. Spurious Rewards — presenter: 발표자" in text
    button.click()
    expect(page.locator("[data-brief-status]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == text
    assert csp_errors == []
