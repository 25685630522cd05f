"""The unsubscribe link: works without signing in, one click for mail clients, refuses forgeries."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from seminar import reminders
from seminar.reminders import tasks
from tests.factories import ReviewerSlotFactory, TopicFactory, UserFactory, WeekFactory

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def anonymous():
    # CSRF checks on, as in production: the link must work without a token or a session.
    return Client(enforce_csrf_checks=True)


def link(user, preference: str = "deadlines") -> str:
    return f"/unsubscribe/{reminders.unsubscribe_token(user, preference)}/"


def test_unsubscribe_page_asks_first_without_signing_in(anonymous, member):
    response = anonymous.get(link(member))
    assert response.status_code == 200
    html = response.content.decode()
    assert "me••••@example.com" in html
    assert 'method="post"' in html
    member.refresh_from_db()
    assert member.email_deadlines is True


def test_confirming_unsubscribes_that_kind_only(anonymous, member):
    response = anonymous.post(link(member, "weekly"))
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.email_weekly is False
    assert member.email_deadlines is True
    assert member.email_assignments is True


def test_mail_client_one_click_post_unsubscribes(anonymous, member):
    response = anonymous.post(
        link(member, "assignments"),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.email_assignments is False


def test_unsubscribe_page_speaks_the_members_language(anonymous, member):
    member.language = "en"
    member.save()
    html = anonymous.get(link(member, "weekly")).content.decode()
    assert '<html lang="en">' in html


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature altered
        lambda token: token.replace(token.split(":")[0], token.split(":")[0][::-1]),  # payload
        lambda token: "not-a-token",
    ],
)
def test_tampered_link_is_refused_and_changes_nothing(anonymous, member, mangle):
    token = reminders.unsubscribe_token(member, "deadlines")
    for method in (anonymous.get, anonymous.post):
        assert method(f"/unsubscribe/{mangle(token)}/").status_code == 400
    member.refresh_from_db()
    assert member.email_deadlines is True


def test_link_signed_for_another_purpose_is_refused(anonymous, member):
    from django.core import signing

    token = signing.TimestampSigner(salt="something.else").sign_object(
        {"u": member.pk, "p": "deadlines"}
    )
    assert anonymous.post(f"/unsubscribe/{token}/").status_code == 400


def test_link_older_than_a_year_is_refused(anonymous, member):
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=SEOUL), tick=False):
        old = link(member)
    with time_machine.travel(datetime(2027, 1, 3, tzinfo=SEOUL), tick=False):
        assert anonymous.post(old).status_code == 400


def test_link_in_a_real_reminder_unsubscribes_its_recipient(anonymous, mailoutbox):
    reviewer = UserFactory(email="reader@example.com")
    deadline = datetime(2026, 12, 8, 18, tzinfo=SEOUL)
    week = WeekFactory(starts_at=deadline + timedelta(days=1), review_deadline=deadline)
    ReviewerSlotFactory(topic=TopicFactory(week=week, presenter=None), reviewer=reviewer)
    with time_machine.travel(deadline - timedelta(days=3), tick=False):
        tasks.send_due_reminders()
    (message,) = mailoutbox
    url = message.message()["List-Unsubscribe"].strip("<>")
    assert anonymous.post(url.removeprefix("http://127.0.0.1:8000")).status_code == 200
    reviewer.refresh_from_db()
    assert reviewer.email_deadlines is False
    with time_machine.travel(deadline - timedelta(days=1), tick=False):
        tasks.send_due_reminders()
    assert len(mailoutbox) == 1  # the 1-day reminder is not sent any more
