"""A reviewer who cannot make it offers the slot on the week page; another member takes it on
the swaps page. Both get an email, and the review deadline leaves the old holder's calendar
feed for the new holder's.

Real server, real database, Debian's Chromium; the clock is the suite's fixed instant (a
Wednesday morning in Seoul, outside quiet hours), so the emails go out at once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from seminar.models import AssignmentChange, SlotOffer
from tests.browser.conftest import make_member, sign_in
from tests.conftest import FIXED_INSTANT
from tests.factories import ReviewerSlotFactory, TopicFactory, WeekFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fixed_clock"),
]


def _feed_uids(page: Page, url: str) -> set[str]:
    response = page.request.get(url)
    assert response.ok
    return {str(event["UID"]) for event in Calendar.from_ical(response.body()).walk("VEVENT")}


def test_a_reviewer_offers_a_slot_another_member_takes_it(
    page: Page, live_server, browser, mailoutbox
):
    holder = make_member(name="Holder", email="holder@example.com", calendar_token="holder-cal")
    taker = make_member(name="Taker", email="taker@example.com", calendar_token="taker-cal")
    speaker = make_member(name="Speaker", email="speaker@example.com")
    starts = FIXED_INSTANT + timedelta(days=7, hours=9)
    week = WeekFactory(starts_at=starts, review_deadline=starts - timedelta(hours=20))
    topic = TopicFactory(week=week, order=1, presenter=speaker, title="Mamba")
    slot = ReviewerSlotFactory(topic=topic, number=1, reviewer=holder)
    holder_feed = f"{live_server.url}/calendar/holder-cal.ics"
    taker_feed = f"{live_server.url}/calendar/taker-cal.ics"
    deadline_uid = f"review-{slot.pk}-member-"
    assert any(uid.startswith(deadline_uid) for uid in _feed_uids(page, holder_feed))

    # The holder offers the slot from the week page.
    sign_in(page, live_server, holder)
    page.goto(f"{live_server.url}{week.get_absolute_url()}")
    page.locator(f"[data-offer-open='slot-{slot.pk}']").click()
    page.fill(f"#offer-note-slot-{slot.pk}", "출장이 생겼어요")
    page.locator(f"[data-offer-submit='slot-{slot.pk}']").click()
    box = page.locator("[data-offer]")
    expect(box).to_contain_text("Offered by Holder")
    expect(page.locator("ul.messages")).to_contain_text("Your role is offered")
    offer = SlotOffer.objects.get()
    assert (offer.status, offer.offered_by) == ("open", holder)

    # Another member takes it from the swaps page (in their own browser).
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    theirs = context.new_page()
    sign_in(theirs, live_server, taker)
    theirs.locator("nav a[href='/swaps/']").click()
    row = theirs.locator(f"[data-swap-offer='{offer.pk}']")
    expect(row).to_contain_text("Mamba")
    expect(row).to_contain_text("출장이 생겼어요")
    row.locator(f"[data-take='{offer.pk}']").click()
    expect(theirs.locator("ul.messages")).to_contain_text("It is yours now")
    expect(theirs.locator(f"[data-swap-offer='{offer.pk}']")).to_have_count(0)
    context.close()

    slot.refresh_from_db()
    assert slot.reviewer == taker
    assert list(
        AssignmentChange.objects.order_by("pk").values_list("member__name", "assigned", "reason")
    ) == [("Holder", False, "swap"), ("Taker", True, "swap")]

    # Both get an email.
    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert sorted(by_recipient) == ["holder@example.com", "taker@example.com"]
    assert "Taker took this role over from you (a swap)." in by_recipient["holder@example.com"].body
    assert "You took this role over from Holder (a swap)." in by_recipient["taker@example.com"].body

    # The review deadline moved from the old holder's calendar feed to the new holder's.
    assert not any(uid.startswith(deadline_uid) for uid in _feed_uids(page, holder_feed))
    assert f"{deadline_uid}{taker.pk}@" in "".join(_feed_uids(page, taker_feed))
