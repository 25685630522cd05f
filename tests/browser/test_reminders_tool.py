"""The organizer previews a reminder in its recipient's language and sends "remind now"
twice: each reviewer who has not submitted gets one email.

Real server (pytest-django's live_server), real database, Debian's Chromium; tasks run
in-process after each commit, mail goes to the in-memory outbox.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from reviews.models import Review
from seminar.models import ReminderPolicy, SentReminder
from seminar.services import make_organizer
from tests.browser.conftest import make_member, sign_in
from tests.conftest import FIXED_INSTANT
from tests.factories import ReviewerSlotFactory, ReviewFactory, TopicFactory, WeekFactory

# The server's clock stands at FIXED_INSTANT (ticking), so the test reads the same on any day.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fixed_clock"),
]


def test_the_organizer_previews_a_reminder_and_reminds_now_twice(page: Page, live_server):
    # No quiet hours: the test must not depend on the hour it runs at (start == end: none).
    ReminderPolicy(quiet_hours_start=time(0), quiet_hours_end=time(0)).save()
    organizer = make_member(name="운영자", email="boss@example.com")
    make_organizer(organizer)
    presenter = make_member(name="발표자", email="presenter@example.com")
    korean = make_member(name="김리뷰", email="kim@example.com")
    korean.language = "ko"
    korean.save(update_fields=["language"])
    english = make_member(name="Reviewer Two", email="two@example.com")
    done = make_member(name="Submitted", email="done@example.com")
    starts = FIXED_INSTANT + timedelta(days=10)
    week = WeekFactory(number=7, starts_at=starts, review_deadline=starts - timedelta(hours=20))
    topic = TopicFactory(week=week, order=1, title="Calm-Whisper", presenter=presenter)
    for number, reviewer in enumerate([korean, english, done], 1):
        ReviewerSlotFactory(topic=topic, number=number, reviewer=reviewer)
    ReviewFactory(slot=topic.slots.get(reviewer=done), author=done)
    Review.objects.filter(author=done).update(status="submitted", submitted_at=timezone.now())
    sign_in(page, live_server, organizer)
    mail.outbox.clear()

    page.goto(f"{live_server.url}/reminders/")
    section = page.locator(f"#week-{week.pk}")
    expect(section).to_contain_text("2 reviewers have not submitted")
    expect(page.get_by_text("Nothing failed, and no email is waiting.")).to_be_visible()

    # The Korean reviewer's deadline reminder, previewed in Korean.
    row = section.locator(f"tr[data-member='{korean.pk}'][data-kind='reviewer_deadline']").first
    row.locator("a[data-preview]").click()
    expect(page.locator("h1")).to_have_text("Email preview")
    expect(page.locator("pre.email-text")).to_contain_text("리뷰 마감")
    expect(page.locator("pre.email-text")).to_contain_text("Calm-Whisper")
    frame = page.frame_locator("iframe.email-html")
    expect(frame.locator("body")).to_contain_text("리뷰 쓰기")
    assert mail.outbox == []  # a preview sends nothing

    # "Remind now", twice.
    page.goto(f"{live_server.url}/reminders/")
    page.locator(f"button[data-remind-now='{week.pk}']").click()
    expect(page.get_by_text("Reminders are being sent to 2 reviewer(s).")).to_be_visible()
    page.locator(f"button[data-remind-now='{week.pk}']").click()
    expect(
        page.get_by_text("2 reviewer(s) were already reminded today; they get no second email.")
    ).to_be_visible()
    assert sorted(m.to[0] for m in mail.outbox) == ["kim@example.com", "two@example.com"]
    assert SentReminder.objects.filter(status="sent").count() == 2
    korean_mail = next(m for m in mail.outbox if m.to == ["kim@example.com"])
    assert "리뷰 마감이 다가옵니다" in korean_mail.body
