"""An organizer's week without the admin: a term and its weeks made from the board, seen on
the board and the archive under the term's header; the home card's open slot leads to it.

Real server (pytest-django's live_server), real database, Debian's Chromium. Dates are counted
from today, so the test reads the same on any day.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from seminar.models import Term, Week
from seminar.services import make_organizer
from tests.browser.conftest import csp_problems, make_member, sign_in
from tests.factories import ReviewerSlotFactory, TermFactory, TopicFactory, WeekFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEOUL = ZoneInfo("Asia/Seoul")


def test_organizer_creates_a_term_with_its_weeks_and_sees_them_grouped_under_it(
    page: Page, live_server
):
    problems = csp_problems(page)
    organizer = make_member(name="운영자", email="boss@example.com")
    make_organizer(organizer)
    sign_in(page, live_server, organizer)

    page.goto(f"{live_server.url}/schedule/")
    # No term yet: the week form says so and points to the term form, which is open.
    expect(page.locator("[data-no-open-term] a[href='#new-term']")).to_be_visible()
    form = page.locator("form[data-term-form]")
    expect(form).to_be_visible()

    today = timezone.localdate()
    first, last = today + timedelta(days=1), today + timedelta(days=28)
    meeting_day = today + timedelta(days=3)
    form.get_by_label("Name").fill("2027 봄")
    form.get_by_label("First day").fill(first.isoformat())
    form.get_by_label("Last day").fill(last.isoformat())
    form.get_by_label("Meeting day").select_option(str(meeting_day.weekday()))
    form.get_by_label("Time").fill("19:30")
    form.get_by_label("Place").fill("공학관 301")

    # The weeks are listed, each ticked; the second is a holiday.
    form.locator("[data-preview-term]").click()
    boxes = page.locator("form[data-term-form] input[name=week_dates]")
    expect(boxes).to_have_count(4)
    for n in range(4):
        expect(boxes.nth(n)).to_be_checked()
    boxes.nth(1).uncheck()
    page.locator("form[data-term-form] [data-create-term]").click()

    # On the board: the term's header, and its three weeks under it.
    term = page.locator("[data-board-term]")
    expect(term).to_have_count(1)
    expect(term.locator(".term-header")).to_have_text("2027 봄")
    expect(term.locator("section[data-week]")).to_have_count(3)
    saved = Term.objects.get()
    assert saved.place == "공학관 301"
    weeks = list(Week.objects.order_by("number"))
    assert [w.number for w in weeks] == [1, 2, 3]
    assert [timezone.localtime(w.starts_at, SEOUL) for w in weeks] == [
        datetime.combine(meeting_day + timedelta(days=d), time(19, 30), tzinfo=SEOUL)
        for d in (0, 14, 21)
    ]
    # The week form now offers the new term.
    expect(page.locator("#create-weeks select[name=term] option")).to_have_text(["2027 봄"])

    # The archive: coming weeks under the term's header, the next one marked.
    page.goto(f"{live_server.url}/weeks/")
    coming = page.locator("section[aria-labelledby=archive-coming]")
    expect(coming.locator(".term-header")).to_have_text("2027 봄")
    cards = coming.locator("li.week-card")
    expect(cards).to_have_count(3)
    expect(cards.first).to_have_attribute("aria-current", "date")
    expect(cards.first).to_contain_text("Week 1")
    expect(cards.nth(2)).to_contain_text("Week 3")
    assert problems == []


def test_the_home_card_lists_an_open_slot_and_its_link_leads_to_it_on_the_board(
    page: Page, live_server
):
    problems = csp_problems(page)
    organizer = make_member(name="운영자", email="boss@example.com")
    make_organizer(organizer)
    presenter = make_member(name="발표자", email="presenter@example.com")
    term = TermFactory(name="2027 봄", starts_on=timezone.localdate() - timedelta(days=10))
    starts = datetime.combine(timezone.localdate() + timedelta(days=5), time(19), tzinfo=SEOUL)
    week = WeekFactory(term=term, starts_at=starts, review_deadline=starts - timedelta(hours=20))
    topic = TopicFactory(week=week, order=1, presenter=presenter, title="Calm-Whisper")
    ReviewerSlotFactory(topic=topic, number=1, reviewer=presenter)  # a conflict, too
    open_slot = ReviewerSlotFactory(topic=topic, number=2)

    sign_in(page, live_server, organizer)
    card = page.locator("[data-attention]")
    expect(card).to_be_visible()
    item = card.locator("[data-attention-kind=open_slots]")
    expect(item).to_contain_text("Calm-Whisper")
    expect(card.locator("[data-attention-kind=conflict]").first).to_be_visible()
    item.locator("a").click()
    page.wait_for_url(f"{live_server.url}/schedule/#slot-{open_slot.pk}")
    slot = page.locator(f"#slot-{open_slot.pk}")
    expect(slot).to_be_in_viewport()
    expect(slot.locator(".badge-open")).to_be_visible()
    assert problems == []


def test_organizer_edits_a_terms_defaults_and_the_week_form_follows_the_chosen_term(
    page: Page, live_server
):
    problems = csp_problems(page)
    organizer = make_member(name="운영자", email="boss@example.com")
    make_organizer(organizer)
    today = timezone.localdate()
    running = TermFactory(
        name="이번 학기",
        starts_on=today - timedelta(days=10),
        meeting_time=time(19),
        place="공학관 301",
    )
    later = TermFactory(
        name="다음 학기",
        starts_on=today + timedelta(days=60),
        meeting_time=time(18, 30),
        place="도서관",
        online_url="https://meet.example.com/next",
    )
    starts = datetime.combine(today + timedelta(days=5), time(19), tzinfo=SEOUL)
    coming = WeekFactory(
        term=running, starts_at=starts, review_deadline=starts - timedelta(hours=20)
    )

    sign_in(page, live_server, organizer)
    page.goto(f"{live_server.url}/schedule/")
    weeks_form = page.locator("form[data-week-form]")
    weeks_form.evaluate("form => form.closest('details').open = true")
    # The week form starts with the running term's defaults, and follows the chosen term.
    expect(weeks_form.locator("select[name=term]")).to_have_value(str(running.pk))
    expect(weeks_form.locator("input[name=place]")).to_have_value("공학관 301")
    weeks_form.locator("select[name=term]").select_option(str(later.pk))
    expect(weeks_form.locator("input[name=place]")).to_have_value("도서관")
    expect(weeks_form.locator("input[name=time]")).to_have_value("18:30")
    expect(weeks_form.locator("input[name=online_url]")).to_have_value(
        "https://meet.example.com/next"
    )

    # On a phone, the running term's edit form: a new place, handed to its coming weeks.
    page.set_viewport_size({"width": 390, "height": 800})
    edit = page.locator(f"[data-term-edit='{running.pk}']")
    edit.locator("summary").click()
    form = edit.locator("form[data-term-edit-form]")
    expect(form.get_by_label("Apply to coming weeks without submitted reviews")).not_to_be_checked()
    form.get_by_label("Place").fill("새 세미나실")
    form.get_by_label("Apply to coming weeks without submitted reviews").check()
    save = form.locator("[data-save-term]")
    save.scroll_into_view_if_needed()
    expect(save).to_be_in_viewport()
    save.click()
    expect(page.locator("ul.messages")).to_contain_text("took the new defaults")
    coming.refresh_from_db()
    running.refresh_from_db()
    assert (running.place, coming.place) == ("새 세미나실", "새 세미나실")
    assert problems == []
