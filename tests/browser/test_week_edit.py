"""An organizer edits one week from its page on a phone (#13): the place and the time, saved
without the admin, shown on the week page; no CSP errors, no sideways scrolling at 390 px.

Real server (pytest-django's live_server), real database, Debian's Chromium. Dates are counted
from today, so the test reads the same on any day.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from seminar.models import Week
from seminar.services import make_organizer
from tests.browser.conftest import csp_problems, make_member, sign_in
from tests.browser.test_accessibility import FAILING_IMPACTS, axe_violations
from tests.factories import TermFactory, WeekFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEOUL = ZoneInfo("Asia/Seoul")


def test_organizer_edits_the_place_and_time_of_a_week_on_a_phone(page: Page, live_server):
    problems = csp_problems(page)
    organizer = make_member(name="운영자", email="boss@example.com", timezone="Asia/Seoul")
    make_organizer(organizer)
    day = timezone.localdate() + timedelta(days=10)
    starts = datetime.combine(day, time(19, 0), tzinfo=SEOUL)
    term = TermFactory(starts_on=timezone.localdate() - timedelta(days=30))
    week = WeekFactory(
        term=term, number=1, starts_at=starts, review_deadline=starts - timedelta(hours=20)
    )
    sign_in(page, live_server, organizer)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/weeks/{week.pk}/")
    page.get_by_text("Edit this week").click()
    form = page.locator("form.week-edit-form")
    expect(form).to_be_visible()
    form.get_by_label("Place", exact=True).fill("공학관 301호")
    form.get_by_label("Time", exact=True).fill("18:30")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS] == []
    form.locator("[data-save-week]").click()

    page.wait_for_url(f"{live_server.url}/weeks/{week.pk}/")
    expect(page.locator(".week-meta")).to_contain_text(f"{day.isoformat()}")
    expect(page.locator(".week-meta")).to_contain_text("18:30")
    expect(page.locator(".week-meta")).to_contain_text("공학관 301호")
    expect(page.get_by_text("calendars and reminders follow the new time")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    week.refresh_from_db()
    assert (week.starts_at, week.place) == (
        datetime.combine(day, time(18, 30), tzinfo=SEOUL),
        "공학관 301호",
    )
    assert Week.objects.count() == 1
    assert problems == []


def test_organizer_removes_an_empty_week_after_confirming(page: Page, live_server):
    problems = csp_problems(page)
    organizer = make_member(name="운영자", email="boss@example.com")
    make_organizer(organizer)
    starts = datetime.combine(timezone.localdate() + timedelta(days=10), time(19, 0), SEOUL)
    term = TermFactory(starts_on=timezone.localdate() - timedelta(days=30))
    week = WeekFactory(term=term, number=4, starts_at=starts, review_deadline=starts)
    sign_in(page, live_server, organizer)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/weeks/{week.pk}/")
    page.get_by_text("Edit this week").click()
    page.locator("[data-remove-week]").click()
    expect(page.get_by_text("Are you sure?")).to_be_visible()
    assert Week.objects.filter(pk=week.pk).exists()  # asking removes nothing
    assert [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS] == []
    page.locator("[data-confirm-remove]").click()
    page.wait_for_url(f"{live_server.url}/schedule/")
    expect(page.get_by_text(f"Week 4 of {term.name} was removed.")).to_be_visible()
    assert not Week.objects.filter(pk=week.pk).exists()
    assert problems == []
