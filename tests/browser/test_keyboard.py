"""Keyboard only: a member writes, saves and submits a review; an organizer assigns a reviewer
on the schedule board; a signed-out editor says so in its preview. No mouse anywhere: focus
moves with Tab, things are pressed with Enter or Space, text is typed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from reviews.models import Review
from seminar.models import ReviewerSlot
from tests.browser.conftest import make_member
from tests.conftest import FIXED_INSTANT
from tests.factories import ReviewerSlotFactory, TopicFactory, WeekFactory

# The server's clock stands at FIXED_INSTANT (ticking), so the test reads the same on any day.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fixed_clock"),
]

MAX_TABS = 400


def _cookie_sign_in(page: Page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _tab_to(page: Page, predicate: str, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `predicate` (JS, on document.activeElement `el`) holds."""
    for _ in range(MAX_TABS):
        if page.evaluate(
            f"(() => {{ const el = document.activeElement; return !!({predicate}); }})()"
        ):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"Tab never reached: {predicate}")


def _focused(page: Page, script: str):
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {script}; }})()")


@pytest.fixture
def week():
    starts = FIXED_INSTANT + timedelta(days=7)
    return WeekFactory(starts_at=starts, review_deadline=starts - timedelta(hours=20))


def test_a_review_written_saved_and_submitted_with_the_keyboard_alone(page, live_server, week):
    member = make_member(name="박민경")
    topic = TopicFactory(week=week, order=1, title="Spurious Rewards")
    slot = ReviewerSlotFactory(topic=topic, number=1, reviewer=member)
    _cookie_sign_in(page, live_server, member)
    page.goto(f"{live_server.url}/slots/{slot.pk}/review/")

    # The first section's heading, from the top of the page by Tab.
    _tab_to(page, "el.name === 'sections-0-heading'")
    page.keyboard.press("Control+A")
    page.keyboard.type("문제 정의")
    page.keyboard.press("Enter")  # Enter in a heading goes on to its text
    assert _focused(page, "el.name") == "sections-0-body"
    page.keyboard.type("- 보상이 무작위여도")
    page.keyboard.press("Enter")
    page.keyboard.type("성능이 오른다")
    # Ctrl+] indents the line (the hint says so); Tab is not typed into the text...
    page.keyboard.press("Control+BracketRight")
    body = _focused(page, "el.value")
    assert body == "- 보상이 무작위여도\n    성능이 오른다"
    page.keyboard.press("Control+BracketLeft")
    assert _focused(page, "el.value") == "- 보상이 무작위여도\n성능이 오른다"
    # ...it moves on: no keyboard trap (WCAG 2.1.2).
    page.keyboard.press("Tab")
    assert _focused(page, "el.name") != "sections-0-body"
    assert "\t" not in page.locator("textarea[name='sections-0-body']").input_value()
    page.keyboard.press("Shift+Tab")
    assert _focused(page, "el.name") == "sections-0-body"

    # Ctrl+S saves the draft.
    page.keyboard.press("Control+s")
    expect(page.locator("[data-save-status]")).to_have_text(re.compile(r"Saved at \d\d:\d\d"))
    assert Review.objects.get(slot=slot).status == Review.Status.DRAFT

    # The submit button, reached by Tab and pressed with Enter.
    _tab_to(page, "el.matches('button[data-submit]')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/weeks/{week.pk}/"))
    review = Review.objects.get(slot=slot)
    assert review.status == Review.Status.SUBMITTED
    assert review.sections.first().body == "- 보상이 무작위여도\n성능이 오른다"
    # The jump to the review leaves its heading below the sticky bar, not under it.
    anchor = page.evaluate("location.hash")
    if anchor:
        top = page.evaluate(f"document.querySelector('{anchor}').getBoundingClientRect().top")
        bar = page.evaluate("document.querySelector('.topbar').getBoundingClientRect().bottom")
        assert top >= bar - 1


def test_an_organizer_assigns_a_reviewer_on_the_board_with_the_keyboard_alone(
    page, live_server, week
):
    from seminar.services import make_organizer

    organizer = make_member(name="운영자")
    make_organizer(organizer)
    reviewer = make_member(name="조재현")
    topic = TopicFactory(week=week, order=1, title="Absolute Zero", presenter=organizer)
    slot = ReviewerSlotFactory(topic=topic, number=1)
    _cookie_sign_in(page, live_server, organizer)
    page.goto(f"{live_server.url}/schedule/")

    # The slot's "Change" disclosure, opened with Enter.
    _tab_to(page, f"el.matches('#slot-{slot.pk} summary')")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert _focused(page, "el.name") == "member"
    # Choose the reviewer with the arrow keys.
    for _ in range(50):
        if _focused(page, "el.value") == str(reviewer.pk):
            break
        page.keyboard.press("ArrowDown")
    assert _focused(page, "el.value") == str(reviewer.pk)
    page.keyboard.press("Tab")
    assert _focused(page, "el.type") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator(f"#slot-{slot.pk} [data-reviewer='{reviewer.pk}']")).to_be_visible()
    assert ReviewerSlot.objects.get(pk=slot.pk).reviewer_id == reviewer.pk


def test_signing_out_in_another_tab_shows_the_editors_note_not_a_raw_response(
    page, live_server, week
):
    member = make_member(name="박민경")
    topic = TopicFactory(week=week, order=1, title="Spurious Rewards")
    slot = ReviewerSlotFactory(topic=topic, number=1, reviewer=member)
    _cookie_sign_in(page, live_server, member)
    page.goto(f"{live_server.url}/slots/{slot.pk}/review/")
    body = page.locator("textarea[name='sections-0-body']")
    body.fill("**굵게** 쓴 문장")
    preview = page.locator("[data-section]").first.locator(".markdownx-preview")
    expect(preview.locator("strong")).to_have_text("굵게")

    # Another tab of the same browser signs out (the real sign-out form).
    other = page.context.new_page()
    other.goto(f"{live_server.url}/")
    other.locator("nav form[action='/accounts/logout/'] button").click()
    other.wait_for_url(re.compile(r"/accounts/login/|/$"))
    other.close()

    body.press("End")
    page.keyboard.type(" 더 쓴 문장")
    note = preview.locator("[data-signed-out]")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Signed out — sign in again in another tab")
    text = preview.inner_text()
    assert "{" not in text and "signed_out" not in text and "\\u" not in text
    assert "csrfmiddlewaretoken" not in preview.inner_html()
    # Nothing typed is lost: the box keeps it, and so does the browser's copy.
    assert body.input_value() == "**굵게** 쓴 문장 더 쓴 문장"
    stored = page.evaluate(f"localStorage.getItem('seminar-review-{slot.pk}')")
    assert "더 쓴 문장" in stored


def test_the_restore_banner_shows_the_time_in_the_members_zone_not_the_browsers(
    browser, live_server, week
):
    member = make_member(name="Mina", timezone="America/Los_Angeles")
    topic = TopicFactory(week=week, order=1, title="Spurious Rewards")
    slot = ReviewerSlotFactory(topic=topic, number=1, reviewer=member)
    context = browser.new_context(timezone_id="Asia/Seoul", locale="en-US")
    page = context.new_page()
    _cookie_sign_in(page, live_server, member)
    page.goto(f"{live_server.url}/slots/{slot.pk}/review/")
    # A copy kept at 2030-03-07 10:00 UTC: 02:00 in Los Angeles, 19:00 on the browser's clock.
    page.evaluate(
        """key => localStorage.setItem(key, JSON.stringify({
            at: Date.UTC(2030, 2, 7, 10, 0),
            sections: [{heading: "kept", body: "never saved"}]
        }))""",
        f"seminar-review-{slot.pk}",
    )
    page.reload()
    banner = page.locator("#restore-banner")
    expect(banner).to_be_visible()
    text = banner.locator("[data-restore-text]").inner_text()
    assert "02:00" in text and "19:00" not in text, text
    context.close()
