"""The reminders tool (#13): per coming week, what goes out when and why some wait; a preview
of each email in its recipient's language; "remind now", still once per reminder key; the
cadence edited on the page; delivery problems only when there are some.

The clock is fixed (time-machine): Thursday 3 December 2026, 10:00 in Seoul. The week starts
Wednesday 9 December 19:00; reviews are due Tuesday 8 December 18:00.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from reviews.models import Review
from seminar import reminders
from seminar.beat import ensure_beat_schedules
from seminar.models import AssignmentChange, ReminderPolicy, SentReminder
from seminar.reminders.outlook import State, coming_weeks_outlook, next_weekly_run
from tests.factories import (
    ReviewerSlotFactory,
    ReviewFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)
from tests.support import postgres_only

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

SEOUL = ZoneInfo("Asia/Seoul")
LA = ZoneInfo("America/Los_Angeles")
Kind = SentReminder.Kind


def kst(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SEOUL)


NOW = kst(12, 3, 10)
WEEK_START = kst(12, 9, 19)
DEADLINE = kst(12, 8, 18)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def plan(clock, organizer):
    ensure_beat_schedules()  # the weekly run: Mondays 09:00
    week = WeekFactory(number=3, starts_at=WEEK_START, review_deadline=DEADLINE)
    presenter = UserFactory(name="발표자", language="ko")
    korean = UserFactory(name="한국어리뷰어", language="ko")
    english = UserFactory(name="English Reviewer", language="en")
    abroad = UserFactory(name="Abroad", language="en", timezone="America/Los_Angeles")
    quiet = UserFactory(name="Opted Out", email_deadlines=False)
    done = UserFactory(name="Done")
    topic = TopicFactory(
        week=week, order=1, title="<script>alert(1)</script> Attention", presenter=presenter
    )
    for number, reviewer in enumerate([korean, english, abroad, quiet, done], 1):
        ReviewerSlotFactory(topic=topic, number=number, reviewer=reviewer)
    ReviewFactory(slot=topic.slots.get(reviewer=done), author=done)
    Review.objects.filter(author=done).update(status="submitted", submitted_at=NOW)
    return SimpleNamespace(
        week=week,
        topic=topic,
        presenter=presenter,
        korean=korean,
        english=english,
        abroad=abroad,
        quiet=quiet,
        done=done,
        organizer=organizer,
    )


def rows(outlook, user):
    return [(e.kind, e.key, e.state, e.sends_at) for e in outlook.emails if e.recipient == user]


def test_the_weekly_run_is_read_from_its_schedule(clock):
    ensure_beat_schedules()
    assert next_weekly_run(NOW) == kst(12, 7, 9)  # the next Monday, 09:00
    assert next_weekly_run(kst(12, 7, 9)) == kst(12, 14, 9)


def test_each_email_of_the_week_is_listed_with_when_it_goes(plan):
    (outlook,) = coming_weeks_outlook(NOW)
    key = f"week:{plan.week.pk}"
    assert rows(outlook, plan.english) == [
        (Kind.REVIEWER_DEADLINE, f"{key}:-3d", State.PLANNED, kst(12, 5, 18)),
        (Kind.WEEKLY_REVIEWER, key, State.PLANNED, kst(12, 7, 9)),
        (Kind.REVIEWER_DEADLINE, f"{key}:-1d", State.PLANNED, kst(12, 7, 18)),
        (Kind.REVIEWER_OVERDUE, f"{key}:+1d", State.PLANNED, kst(12, 9, 18)),
    ]
    # The presenters' 7-day stage has passed and is still news: the next run sends it.
    assert rows(outlook, plan.presenter) == [
        (Kind.PRESENTER_DEADLINE, f"{key}:-7d", State.DUE, NOW),
        (Kind.WEEKLY_PRESENTER, key, State.PLANNED, kst(12, 7, 9)),
        (Kind.PRESENTER_DEADLINE, f"{key}:-1d", State.PLANNED, kst(12, 8, 19)),
    ]
    # Whoever submitted gets nothing more; the list names the reviewers still writing.
    assert rows(outlook, plan.done) == []
    assert outlook.pending_reviewers == [plan.abroad, plan.english, plan.quiet, plan.korean]


def test_emails_in_the_recipients_night_say_they_are_held_and_until_when(plan):
    (outlook,) = coming_weeks_outlook(NOW)
    held = [e for e in outlook.emails if e.recipient == plan.abroad and e.state == State.HELD]
    # 18:00 in Seoul is 01:00 in Los Angeles: held until 08:00 there (01:00 in Seoul).
    three_days = next(e for e in held if e.key.endswith(":-3d"))
    assert three_days.planned_at == kst(12, 5, 18)
    assert three_days.sends_at == datetime(2026, 12, 5, 8, tzinfo=LA)
    assert three_days.reason == (
        "3 day(s) before the review deadline. Falls in quiet hours (22:00–08:00 in "
        "America/Los_Angeles): held until 2026-12-05 08:00."
    )


def test_opted_out_members_are_listed_as_not_sent_with_the_reason(plan):
    (outlook,) = coming_weeks_outlook(NOW)
    states = {(e.kind, e.state, e.reason) for e in outlook.emails if e.recipient == plan.quiet}
    assert (Kind.REVIEWER_DEADLINE, State.OPTED_OUT, "Opted out of deadline reminder emails.") in (
        states
    )
    assert (Kind.WEEKLY_REVIEWER, State.PLANNED, "With the weekly reminders.") in states


def test_an_assignment_made_at_23_19_says_it_is_held_until_08_00(plan, clock):
    late = kst(12, 3, 23, 19)
    clock.move_to(late)
    newcomer = UserFactory(name="Newcomer")
    slot = ReviewerSlotFactory(topic=plan.topic, number=9, reviewer=newcomer)
    change = AssignmentChange.objects.create(
        topic=slot.topic, member=newcomer, role="reviewer", assigned=True, actor=plan.organizer
    )
    reminders.queue_assignment_notice(change_id=change.pk, now=late)
    (outlook,) = coming_weeks_outlook(late)
    notice = next(e for e in outlook.emails if e.kind == Kind.ASSIGNMENT)
    assert notice.sends_at == kst(12, 4, 8)
    assert notice.reason == (
        "Planned at 23:19, in quiet hours: held until 2026-12-04 08:00 (Asia/Seoul)."
    )


def test_the_page_lists_the_week_and_collapses_empty_problem_sections(client, plan):
    client.force_login(plan.organizer)
    body = client.get(reverse("reminder_status")).content.decode()
    assert f'id="week-{plan.week.pk}"' in body
    assert "Falls in quiet hours (22:00–08:00 in America/Los_Angeles)" in body
    assert "Opted out of deadline reminder emails." in body
    assert "Nothing failed, and no email is waiting." in body
    assert "Addresses that failed permanently" not in body
    assert "Failing, will retry" not in body


def test_a_problem_section_appears_when_it_has_rows(client, plan):
    SentReminder.objects.create(
        recipient=plan.english,
        kind=Kind.REVIEWER_DEADLINE,
        key="week:1:-3d",
        status=SentReminder.Status.GAVE_UP,
        send_after=NOW,
        last_error="SMTPRecipientsRefused",
    )
    client.force_login(plan.organizer)
    body = client.get(reverse("reminder_status")).content.decode()
    assert "Addresses that failed permanently" in body
    assert "SMTPRecipientsRefused" in body
    assert "Nothing failed" not in body
    assert "Interrupted while sending" not in body


def preview(client, plan, user, kind=Kind.REVIEWER_DEADLINE):
    url = reverse("reminder_preview", args=[plan.week.pk, user.pk, kind])
    return client.get(url, {"key": f"week:{plan.week.pk}:-3d"})


def test_a_preview_is_in_the_recipients_language(client, plan):
    client.force_login(plan.organizer)
    korean = preview(client, plan, plan.korean).content.decode()
    english = preview(client, plan, plan.english).content.decode()
    assert "리뷰 마감:" in korean and "Review deadline:" not in korean
    assert "Review deadline:" in english and "리뷰 마감:" not in english
    # Times are the recipient's: 18:00 in Seoul, 01:00 in Los Angeles.
    assert "Tue 8 Dec 2026, 18:00 (Asia/Seoul)" in english
    abroad = preview(client, plan, plan.abroad).content.decode()
    assert "Tue 8 Dec 2026, 01:00 (America/Los_Angeles)" in abroad
    # The member's own unsubscribe link stays theirs.
    assert "/unsubscribe/" not in korean + english + abroad


def test_the_html_preview_is_sanitized_and_sandboxed(client, plan):
    client.force_login(plan.organizer)
    page = preview(client, plan, plan.english).content.decode()
    frame = re.search(r'<iframe class="email-html" srcdoc="([^"]*)" sandbox=""', page)
    assert frame is not None
    inner = html.unescape(frame[1])
    assert "Write your review" in inner
    assert 'style="' in inner  # the email's own inline styles are kept
    assert "<script" not in inner and "<title" not in inner
    # The title's markup is text inside the frame, and never markup in the page.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Attention" in inner
    assert "<script>alert(1)" not in page


def test_a_preview_of_an_email_nobody_would_get_says_so(client, plan):
    client.force_login(plan.organizer)
    body = preview(client, plan, plan.done).content.decode()
    assert "Nothing would be sent now" in body


def test_a_preview_of_an_unknown_kind_or_member_is_not_found(client, plan):
    client.force_login(plan.organizer)
    assert preview(client, plan, plan.english, kind="nonsense").status_code == 404
    url = reverse("reminder_preview", args=[plan.week.pk, plan.english.pk, Kind.ASSIGNMENT])
    assert client.get(url, {"key": "week:1"}).status_code == 404
    url = reverse("reminder_preview", args=[plan.week.pk, 999999, Kind.REVIEWER_DEADLINE])
    assert client.get(url).status_code == 404


def remind_now(client, week, capture):
    with capture(execute=True):
        return client.post(reverse("reminder_remind_now", args=[week.pk]))


@postgres_only
def test_remind_now_twice_sends_one_email_per_reviewer(
    client, plan, django_capture_on_commit_callbacks
):
    plan.abroad.timezone = "Europe/London"  # 10:00 in Seoul is 01:00 in London
    plan.abroad.save()
    client.force_login(plan.organizer)
    first = remind_now(client, plan.week, django_capture_on_commit_callbacks)
    assert first.status_code == 302
    # Korean and English reviewers now; Abroad is asleep (held); Opted Out is skipped.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([plan.korean.email, plan.english.email])
    second = remind_now(client, plan.week, django_capture_on_commit_callbacks)
    assert second.status_code == 302
    assert len(mail.outbox) == 2
    rows = SentReminder.objects.filter(key=f"week:{plan.week.pk}:now:2026-12-03")
    assert sorted(rows.values_list("recipient__name", "status")) == [
        ("Abroad", "queued"),
        ("English Reviewer", "sent"),
        ("한국어리뷰어", "sent"),
    ]
    assert rows.get(recipient=plan.abroad).send_after == datetime(
        2026, 12, 3, 8, tzinfo=ZoneInfo("Europe/London")
    )
    messages = [str(m) for m in second.wsgi_request._messages]
    assert "3 reviewer(s) were already reminded today; they get no second email." in messages
    assert any("switched deadline reminders off" in m for m in messages)
    korean = next(m for m in mail.outbox if m.to == [plan.korean.email])
    assert "리뷰 마감이 다가옵니다" in korean.body


@postgres_only
def test_remind_now_the_next_day_sends_again_once(
    client, plan, clock, django_capture_on_commit_callbacks
):
    client.force_login(plan.organizer)
    remind_now(client, plan.week, django_capture_on_commit_callbacks)
    clock.move_to(NOW + timedelta(days=1))
    remind_now(client, plan.week, django_capture_on_commit_callbacks)
    remind_now(client, plan.week, django_capture_on_commit_callbacks)
    assert len([m for m in mail.outbox if m.to == [plan.english.email]]) == 2


def test_remind_now_is_refused_once_a_week_refuses_late_reviews(client, plan, clock):
    plan.week.late_policy = "refuse"
    plan.week.save()
    clock.move_to(DEADLINE + timedelta(hours=1))
    client.force_login(plan.organizer)
    response = client.post(reverse("reminder_remind_now", args=[plan.week.pk]), follow=True)
    assert "This week refuses late reviews and its deadline has passed." in (
        response.content.decode()
    )
    assert SentReminder.objects.count() == 0
    assert mail.outbox == []


def test_the_cadence_is_edited_on_the_page(client, plan):
    client.force_login(plan.organizer)
    data = {
        "policy-presenter_days_before": "5",
        "policy-reviewer_days_before": "2, 1",
        "policy-reviewer_days_after": "",
        "policy-quiet_hours_start": "23:00",
        "policy-quiet_hours_end": "07:30",
        "policy-max_attempts": "3",
    }
    response = client.post(reverse("reminder_status"), data)
    assert response.status_code == 302
    policy = ReminderPolicy.current()
    assert (policy.presenter_days_before, policy.reviewer_days_before) == ("5", "2, 1")
    assert (policy.quiet_hours_start, policy.quiet_hours_end) == (time(23), time(7, 30))
    assert policy.max_attempts == 3
    # The plan follows the new cadence: no overdue reminder any more, presenters at 5 days.
    (outlook,) = coming_weeks_outlook(NOW)
    assert {e.key for e in outlook.emails if e.kind == Kind.PRESENTER_DEADLINE} == {
        f"week:{plan.week.pk}:-5d"
    }
    assert not [e for e in outlook.emails if e.kind == Kind.REVIEWER_OVERDUE]


def test_a_refused_cadence_re_renders_with_what_was_typed(client, plan):
    client.force_login(plan.organizer)
    response = client.post(
        reverse("reminder_status"),
        {
            "policy-presenter_days_before": "7, tomorrow",
            "policy-reviewer_days_before": "3, 1",
            "policy-reviewer_days_after": "1",
            "policy-quiet_hours_start": "22:00",
            "policy-quiet_hours_end": "08:00",
            "policy-max_attempts": "5",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Use whole days between 0 and 60" in body
    assert 'value="7, tomorrow"' in body
    assert ReminderPolicy.current().presenter_days_before == "7, 1"


def test_members_cannot_preview_remind_or_change_the_cadence(client, plan):
    client.force_login(plan.english)
    assert preview(client, plan, plan.korean).status_code == 403
    assert client.post(reverse("reminder_remind_now", args=[plan.week.pk])).status_code == 403
    assert client.post(reverse("reminder_status"), {"policy-max_attempts": "1"}).status_code == 403
    assert SentReminder.objects.count() == 0
    assert ReminderPolicy.current().max_attempts == 5
