"""An organizer plans two weeks in the browser; the member they assign sees it.

Real server (pytest-django's live_server), real database, Debian's Chromium; the candidate
is found through the papers search endpoint with a Korean query, as typed.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from seminar.models import Topic, Week
from seminar.reports import calendar as ical
from seminar.services import make_organizer
from tests.browser.conftest import csp_problems, make_member, sign_in
from tests.factories import CandidatePaperFactory, PaperSummaryFactory, TermFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pool():
    TermFactory(name="2026 봄", starts_on=timezone.localdate() - timedelta(days=30))
    wanted = CandidatePaperFactory(arxiv_id="2505.22001", title="Calm-Whisper")
    PaperSummaryFactory(
        paper=wanted, sections=[{"heading": "요약", "body": "음성 인식 모델의 환각을 줄인다."}]
    )
    other = CandidatePaperFactory(arxiv_id="2505.22002", title="Unrelated")
    PaperSummaryFactory(paper=other, sections=[{"heading": "요약", "body": "강화 학습"}])
    return wanted


def test_organizer_plans_two_weeks_and_the_assigned_member_sees_it(
    page: Page, live_server, browser, pool
):
    problems = csp_problems(page)
    # Names sort before the organizer's, so the fairest (all equal) come in this order.
    presenter = make_member(name="가영", email="gayoung@example.com")
    make_member(name="나영", email="nayoung@example.com")
    make_member(name="다영", email="dayoung@example.com")
    organizer = make_member(name="운영자", email="boss@example.com")
    make_organizer(organizer)
    sign_in(page, live_server, organizer)

    # Two weeks in bulk.
    page.goto(f"{live_server.url}/schedule/")
    first = timezone.localdate() + timedelta(days=7)
    form = page.locator("form[data-week-form]")
    form.locator("input[name=first_date]").fill(first.isoformat())
    form.locator("input[name=time]").fill("19:00")
    form.locator("input[name=count]").fill("2")
    form.locator("button[type=submit]").click()
    weeks = page.locator("section[data-week]")
    expect(weeks).to_have_count(2)
    assert list(Week.objects.order_by("number").values_list("number", flat=True)) == [1, 2]

    # A topic from the pool, found by a Korean search in the summaries.
    week = weeks.first
    week.locator("input[data-search-input]").fill("환각")
    result = week.locator("[data-results] button[data-arxiv-id]")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("Calm-Whisper")
    result.click()
    expect(week.locator("input[data-paper-input]")).to_have_value("2505.22001")
    week.locator("button[data-add-topic]").click()
    card = page.locator("article[data-topic]")
    expect(card).to_have_count(1)
    expect(card.locator("h4")).to_contain_text("Calm-Whisper")

    # One click each: the suggested presenter, then the suggested reviewer for each slot.
    card.locator("[data-accept-presenter]").first.click()
    expect(card.locator("[data-presenter]")).to_have_text("가영")
    for expected in (1, 2):
        card.locator("[data-accept-reviewer]").first.click()
        expect(card.locator("[data-reviewer]")).to_have_count(expected)
    expect(card.locator("[data-reviewer]")).to_have_text(["나영", "다영"])
    topic = Topic.objects.select_related("paper", "presenter").get()
    assert topic.presenter == presenter
    assert topic.paper.status == "scheduled"
    assert problems == []

    # The presenter signs in: the talk is on the dashboard and in their calendar feed.
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-US")
    mine = context.new_page()
    sign_in(mine, live_server, presenter)
    expect(mine.locator("section[aria-labelledby=dash-talks-title]")).to_contain_text(
        "Calm-Whisper"
    )
    mine.goto(f"{live_server.url}/settings/calendar/")
    mine.locator("button[data-regenerate]").click()
    feed_url = mine.locator("input[data-calendar-url=member]").input_value()
    assert re.match(rf"{re.escape(live_server.url)}/calendar/[\w-]+\.ics$", feed_url)
    response = mine.request.get(feed_url)
    assert response.ok
    events = Calendar.from_ical(response.body()).walk("VEVENT")
    summaries = [str(event["SUMMARY"]) for event in events]
    assert any("Calm-Whisper" in s and s.startswith("★") for s in summaries)
    context.close()

    # A reviewer's feed has their review deadline too.
    reviewer = topic.slots.get(number=1).reviewer
    token = ical.regenerate_calendar_token(member=reviewer)
    body = page.request.get(f"{live_server.url}/calendar/{token}.ics").body()
    deadlines = [
        e for e in Calendar.from_ical(body).walk("VEVENT") if str(e["UID"]).startswith("review-")
    ]
    assert [e.decoded("DTSTART") for e in deadlines] == [topic.week.review_deadline]
