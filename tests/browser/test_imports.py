"""An organizer's importing day in the browser: a digest with an unreadable entry, a paper
added by its arXiv link (the arXiv API served locally), and a corrected title that a later
import keeps.

Real server (pytest-django's live_server), real database, Debian's Chromium; the arXiv API is
pytest-httpserver on 127.0.0.1 (allowed for the outbound guard in this test only).
"""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from papers.models import CandidatePaper, Digest
from seminar.services import make_organizer
from tests.browser.conftest import make_member, sign_in
from tests.papers.arxiv_feeds import (
    ATTENTION_ID,
    ATTENTION_TITLE,
    entry_feed,
    use_local_api,
)
from tests.papers.builders import LOST_ENTRY_DIGEST, hf_digest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organizer():
    user = make_member(email="organizer@example.com", name="운영자")
    make_organizer(user)
    return user


def _upload(page: Page, live_server, tmp_path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    page.goto(f"{live_server.url}/papers/imports/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()


def test_an_organizer_sees_lost_entries_adds_a_paper_by_link_and_keeps_a_corrected_title(
    page: Page, live_server, organizer, tmp_path, settings, httpserver
):
    sign_in(page, live_server, organizer)

    # 1. A digest whose second entry has no arXiv id: completed with errors, one row for it.
    _upload(page, live_server, tmp_path, "list.md", LOST_ENTRY_DIGEST)
    digest = Digest.objects.get()
    assert digest.status == Digest.Status.PARTIAL
    page.goto(f"{live_server.url}/papers/imports/{digest.pk}/")
    expect(page.locator("[data-status]").first).to_have_text("Done with errors")
    rows = page.locator("table.import-errors tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("line 5")
    expect(rows.first).to_contain_text("Lost Paper on Stuff")

    # 2. A paper added by pasting its arXiv link: title and abstract come from the API.
    use_local_api(settings, httpserver)
    httpserver.expect_request("/api/query").respond_with_data(
        entry_feed(), content_type="application/atom+xml"
    )
    page.goto(f"{live_server.url}/papers/")
    page.get_by_label("Link or arXiv id").fill(f"https://arxiv.org/abs/{ATTENTION_ID}v7")
    page.get_by_role("button", name="Add to the pool").click()
    page.wait_for_url(f"{live_server.url}/papers/{ATTENTION_ID}/")
    expect(page.locator("h1")).to_contain_text(ATTENTION_TITLE)
    expect(page.locator(".paper-abstract")).to_contain_text("sequence transduction models")
    page.goto(f"{live_server.url}/papers/?q=Attention")
    expect(page.locator("main")).to_contain_text(ATTENTION_TITLE)

    # 3. A corrected title survives a later digest that names the paper otherwise.
    page.goto(f"{live_server.url}/papers/2505.12345/")
    page.get_by_text("Correct the title, authors or links").click()
    page.get_by_label("Title").fill("Good Paper on Things (corrected)")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    later = hf_digest(date(2025, 6, 2), [("2505.12345", "A Different Title From Another Digest")])
    _upload(page, live_server, tmp_path, "later.md", later)
    assert CandidatePaper.objects.get(arxiv_id="2505.12345").title == (
        "Good Paper on Things (corrected)"
    )
    page.goto(f"{live_server.url}/papers/2505.12345/")
    expect(page.locator("h1")).to_contain_text("Good Paper on Things (corrected)")
