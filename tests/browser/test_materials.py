"""The presenter adds slides from the week page (a link, then a PDF); members see them on the
week page and in the exported markdown, and download the PDF as an attachment.

Real server (pytest-django's live_server), real database, Debian's Chromium.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from seminar.models import Topic
from tests.browser.conftest import make_member, sign_in
from tests.conftest import FIXED_INSTANT
from tests.factories import ReviewerSlotFactory, TopicFactory, WeekFactory

# The server's clock stands at FIXED_INSTANT (ticking), so the test reads the same on any day.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fixed_clock"),
]

PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def test_the_presenter_adds_slides_that_appear_on_the_week_page_and_in_the_export(
    page: Page, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://seminar.example.org"
    presenter = make_member(name="발표자", email="presenter@example.com")
    reviewer = make_member(name="리뷰어", email="reviewer@example.com")
    starts = FIXED_INSTANT + timedelta(days=10)
    week = WeekFactory(number=5, starts_at=starts, review_deadline=starts - timedelta(hours=20))
    topic = TopicFactory(week=week, order=1, title="Attention Is All You Need", presenter=presenter)
    ReviewerSlotFactory(topic=topic, number=1, reviewer=reviewer)
    sign_in(page, live_server, presenter)

    page.goto(f"{live_server.url}/weeks/{week.pk}/")
    editor = page.locator(f"details[data-materials-edit='{topic.pk}']")
    editor.locator("summary").click()
    editor.get_by_label("Slides link").fill("https://example.org/attention-slides.pdf")
    editor.get_by_label("Code link").fill("https://github.com/example/attention")
    editor.get_by_role("button", name="Save materials").click()
    page.wait_for_url(f"{live_server.url}/weeks/{week.pk}/#topic-1")
    expect(page.get_by_text("The materials were saved.")).to_be_visible()
    materials = page.locator(f"[data-materials='{topic.pk}']")
    expect(materials.locator("a[data-slides-link]")).to_have_attribute(
        "href", "https://example.org/attention-slides.pdf"
    )
    expect(materials.locator("a[data-code-link]")).to_have_attribute(
        "href", "https://github.com/example/attention"
    )

    # The export carries it in the group's format.
    export = page.request.get(f"{live_server.url}/weeks/{week.pk}/export.md")
    assert export.ok
    assert (
        "- **발표자**: 발표자\n- **발표 자료**: https://example.org/attention-slides.pdf\n"
        "- **코드**: https://github.com/example/attention\n" in export.text()
    )

    # A PDF, uploaded from the same small form (the size guard and CSRF in a real browser).
    editor = page.locator(f"details[data-materials-edit='{topic.pk}']")
    editor.locator("summary").click()
    editor.get_by_label("Slides PDF").set_input_files(
        files=[{"name": "deck.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    editor.get_by_role("button", name="Save materials").click()
    expect(page.get_by_text("The materials were saved.")).to_be_visible()
    stored = Topic.objects.get(pk=topic.pk).slides_file
    assert stored.startswith("slides/") and stored.endswith(".pdf")

    # Another member sees both and downloads the PDF as an attachment.
    page.context.clear_cookies()
    sign_in(page, live_server, reviewer)
    page.goto(f"{live_server.url}/weeks/{week.pk}/")
    expect(page.locator(f"details[data-materials-edit='{topic.pk}']")).to_have_count(0)
    pdf_link = page.locator(f"[data-materials='{topic.pk}'] a[data-slides-pdf]")
    expect(pdf_link).to_have_attribute("href", f"/topics/{topic.pk}/slides.pdf")
    with page.expect_download() as download_info:
        pdf_link.click()
    download = download_info.value
    assert download.suggested_filename == "Attention Is All You Need.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read() == PDF
    text = page.request.get(f"{live_server.url}/weeks/{week.pk}/export.md").text()
    assert f"- **발표 자료**: https://seminar.example.org/topics/{topic.pk}/slides.pdf\n" in text
