"""The vendored font, the phone layout of the top bar and of stacked tables, and the README's
screenshots (taken on the demo data with the vendored font).

Set SEMINAR_SCREENSHOTS=docs/screenshots to write the README's images there; without it they
go to a temporary folder and are only checked for size.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from papers.models import Digest
from seminar.models import ReviewerSlot, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _signed_in(browser: Browser, live_server, email: str, viewport: dict) -> Page:
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(email=email))
    context = browser.new_context(viewport=viewport, locale="ko-KR", device_scale_factor=1)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


@pytest.fixture
def demo(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("seed_demo")
    User.objects.update(language="ko")


def _font_in_use(page: Page) -> bool:
    return page.evaluate(
        """async () => {
            await document.fonts.ready;
            return document.fonts.check('16px "Pretendard Variable"', '운영자 리뷰');
        }"""
    )


def test_pages_use_the_vendored_korean_font(browser, live_server, demo):
    page = _signed_in(browser, live_server, "minkyung@example.com", DESKTOP)
    fonts: list[str] = []
    page.on(
        "response",
        lambda r: fonts.append(r.url) if r.url.endswith(".woff2") and r.ok else None,
    )
    page.goto(live_server.url + "/")
    assert _font_in_use(page)
    # Only the subsets this page's glyphs need, from our own static files (no CDN).
    assert fonts and all("/static/vendor/pretendard/woff2-dynamic-subset/" in u for u in fonts)
    assert len(fonts) < 40
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.startswith('"Pretendard Variable"')
    page.context.close()


def test_placeholders_are_never_italic(browser, live_server, demo):
    page = _signed_in(browser, live_server, "minkyung@example.com", PHONE)
    page.goto(live_server.url + "/papers/")
    styles = page.evaluate(
        """() => Array.from(document.querySelectorAll('input[placeholder], textarea[placeholder],'
            + ' .placeholder')).map(e => [getComputedStyle(e, '::placeholder').fontStyle,
            getComputedStyle(e).fontStyle])"""
    )
    assert all(style == "normal" for pair in styles for style in pair), styles
    page.context.close()


def test_organizers_menu_stays_on_a_phone_screen_and_uncovers_sign_out(browser, live_server, demo):
    page = _signed_in(browser, live_server, "organizer@example.com", PHONE)
    page.goto(live_server.url + "/")
    # Opened by keyboard: focus the disclosure and press Enter.
    summary = page.locator(".nav-menu summary")
    summary.focus()
    page.keyboard.press("Enter")
    items = page.locator(".nav-menu-items a")
    expect(items.first).to_be_visible()
    width = page.evaluate("document.documentElement.clientWidth")
    for box in (items.nth(i).bounding_box() for i in range(items.count())):
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    # Nothing scrolls sideways, and the sign-out button is still the one under its centre.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    sign_out = page.locator("nav button.link-button")
    box = sign_out.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    hit = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('button')?.textContent.trim()",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert hit == sign_out.text_content().strip()
    # Tab walks into the open menu's links.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.nav-menu-items') !== null")
    page.context.close()


def test_stacked_tables_label_every_cell_on_a_phone(browser, live_server, demo):
    digest = Digest.objects.order_by("pk").first()
    page = _signed_in(browser, live_server, "organizer@example.com", PHONE)
    for path in ("/papers/imports/", f"/papers/imports/{digest.pk}/", "/papers/sources/"):
        page.goto(live_server.url + path)
        unlabelled = page.evaluate(
            """() => Array.from(document.querySelectorAll('table.stack tbody td'))
                .filter(td => td.colSpan === 1 && td.offsetParent !== null)
                .filter(td => !getComputedStyle(td, '::before').content
                    || getComputedStyle(td, '::before').content === 'none')
                .map(td => td.outerHTML.slice(0, 80))"""
        )
        assert unlabelled == [], (path, unlabelled)
    # The import history's counts say what they count.
    page.goto(live_server.url + "/papers/imports/")
    cell = page.locator('table.import-runs td[data-field="papers_new"]').first
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label.strip('"') in ("새 논문", "New", "신규", "새로 추가")
    page.context.close()


def test_readme_screenshots(browser, live_server, demo, tmp_path):
    out = Path(os.environ.get("SEMINAR_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    slot = ReviewerSlot.objects.filter(reviewer__email="minkyung@example.com").first()
    week = slot.topic.week if slot else None
    shots = []
    for viewport, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        page = _signed_in(browser, live_server, "minkyung@example.com", viewport)
        for name, path in (
            ("dashboard", "/"),
            ("week", week.get_absolute_url() if week else "/weeks/"),
            ("editor", f"/slots/{slot.pk}/review/" if slot else "/"),
        ):
            page.goto(live_server.url + path)
            assert _font_in_use(page)
            target = out / f"{name}{suffix}.png"
            page.screenshot(path=str(target), full_page=False)
            shots.append(target)
        page.context.close()
    for shot in shots:
        assert shot.stat().st_size > 10_000
