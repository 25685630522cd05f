"""Every main page answers in the same number of SQL queries at 1× and at 5× the data.

One failing here is an N+1: the message lists the statements that ran more often with more
data. Each page is requested once before it is measured, at both sizes, so one-off work (the
session, the user, caches filled on first use) counts the same on both sides.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.hardening.world import World

pytestmark = pytest.mark.django_db

# page: (who asks, the URL for a world)
PAGES = {
    "dashboard": ("member", lambda w: reverse("home")),
    # The organizer's home adds the "this week" card (seminar/scheduling/attention.py).
    "dashboard (organizer)": ("organizer", lambda w: reverse("home")),
    "week page": ("member", lambda w: reverse("week_detail", args=[w.next_week.pk])),
    "archive": ("member", lambda w: reverse("week_list")),
    "paper list": ("member", lambda w: reverse("paper_list")),
    "paper search (Korean)": (
        "member",
        lambda w: reverse("paper_list") + "?q=" + quote("강화 학습"),
    ),
    "paper search (English)": (
        "member",
        lambda w: reverse("paper_list") + "?q=reinforcement&sort=interest",
    ),
    "paper detail": ("member", lambda w: reverse("paper_detail", args=[w.paper.arxiv_id])),
    "schedule board": ("organizer", lambda w: reverse("schedule")),
    "stats (organizer)": ("organizer", lambda w: reverse("stats")),
    "stats (member)": ("member", lambda w: reverse("stats")),
    "calendar feed": (None, lambda w: reverse("member_calendar", args=["viewer-token-1"])),
    "group calendar feed": (None, lambda w: reverse("group_calendar", args=["viewer-token-1"])),
    "review editor": ("member", lambda w: reverse("review_edit", args=[w.editor_slot.pk])),
    "imports": ("organizer", lambda w: reverse("digest_imports")),
    "reminders": ("organizer", lambda w: reverse("reminder_status")),
}


def _measure(client, url: str) -> tuple[list[str], bytes]:
    assert client.get(url).status_code == 200  # warm-up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in queries.captured_queries], response.content


def _shape(sql: str) -> str:
    """A statement with its literals and id lists folded, to count repeats."""
    sql = re.sub(r"'(?:[^']|'')*'", "'…'", sql)
    sql = re.sub(r"\b\d+\b", "N", sql)
    return re.sub(r"\((?:N|%s|'…')(?:, (?:N|%s|'…'))*\)", "(…)", sql)


def _growth(small: list[str], large: list[str]) -> str:
    before, after = Counter(map(_shape, small)), Counter(map(_shape, large))
    lines = [
        f"  {before[shape]} -> {after[shape]}: {shape[:400]}"
        for shape in sorted(set(before) | set(after))
        if before[shape] != after[shape]
    ]
    return "\n".join(lines)


@pytest.mark.parametrize("page", list(PAGES))
def test_page_queries_do_not_grow_with_the_data(client, page):
    role, url_of = PAGES[page]
    world = World().grow(1)
    if role is not None:
        client.force_login(getattr(world, role))
    url = url_of(world)

    small, small_page = _measure(client, url)
    world.grow(4)
    large, large_page = _measure(client, url)

    assert len(large) == len(small), (
        f"{page} ({url}): {len(small)} queries at 1x, {len(large)} at 5x; "
        f"statements whose count changed:\n{_growth(small, large)}"
    )
    # The page did show the extra data: the measurement is not of an empty page.
    assert len(large_page) > len(small_page), page
