"""The editor's polish (issue 14): headings in the member's language, the keys said in the
hint, and what the script needs to show times in the member's zone."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from tests.factories import ReviewerSlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def slot(member):
    return ReviewerSlotFactory(reviewer=member)


def _headings(html: str) -> list[str]:
    return re.findall(r'name="sections-\d+-heading"[^>]*value="([^"]*)"', html)


def test_a_new_review_starts_with_headings_in_the_members_language(member_client, slot):
    html = member_client.get(reverse("review_edit", args=[slot.pk])).content.decode()
    assert _headings(html) == ["Problem", "Method", "Review"]


def test_the_groups_configured_headings_win(member_client, slot, settings):
    settings.SEMINAR_DEFAULT_REVIEW_HEADINGS = ["문제의식", "리뷰"]
    html = member_client.get(reverse("review_edit", args=[slot.pk])).content.decode()
    assert _headings(html) == ["문제의식", "리뷰"]


def test_the_hint_says_which_keys_indent_and_that_tab_moves_on(member_client, slot):
    html = member_client.get(reverse("review_edit", args=[slot.pk])).content.decode()
    assert "<kbd>Tab</kbd> moves to the next field" in html
    assert "<kbd>Ctrl</kbd>+<kbd>]</kbd> indents the lines" in html


def test_the_script_gets_the_members_zone_and_the_signed_out_note(member_client, slot, member):
    member.timezone = "America/Los_Angeles"
    member.save(update_fields=["timezone"])
    html = member_client.get(reverse("review_edit", args=[slot.pk])).content.decode()
    found = re.search(r'<script id="editor-messages" type="application/json">(.*?)</script>', html)
    assert found is not None
    messages = json.loads(found.group(1))
    assert messages["timeZone"] == "America/Los_Angeles"
    assert messages["previewSignedOut"].startswith("Signed out — sign in again in another tab")
