"""Reminder emails: the right people at the right time, once, in their language and zone.

Time travels with time-machine; the tasks run in-process (eager), as beat would run them.
"""

from __future__ import annotations

import smtplib
from datetime import datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.http import HttpResponse
from django.urls import path, reverse

from bench.reminders import run_reminder_benchmark
from reviews.models import Review
from seminar import reminders
from seminar.models import ReminderPolicy, SentReminder, User
from seminar.reminders import tasks
from seminar.services import record_assignment_change
from tests.factories import (
    ReviewerSlotFactory,
    ReviewFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)


class KoreanUserFactory(UserFactory):
    """The group's members read Korean unless they chose English."""

    language = "ko"


pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

SEOUL = ZoneInfo("Asia/Seoul")
Kind = SentReminder.Kind


def kst(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SEOUL)


# Wednesday 9 December 19:00; reviews due Tuesday 8 December 18:00 (both Seoul).
WEEK_START = kst(12, 9, 19)
DEADLINE = kst(12, 8, 18)


@pytest.fixture
def week():
    """A week with one topic: a presenter, a reviewer still writing, one who submitted, one
    open slot."""
    week = WeekFactory(number=3, starts_at=WEEK_START, review_deadline=DEADLINE)
    presenter = KoreanUserFactory(email="presenter@example.com", name="발표자")
    writing = KoreanUserFactory(email="writing@example.com", name="작성중")
    done = KoreanUserFactory(email="done@example.com", name="제출함")
    topic = TopicFactory(week=week, order=1, title="Attention Is All You Need", presenter=presenter)
    slot = ReviewerSlotFactory(topic=topic, number=1, reviewer=writing)
    ReviewFactory(slot=ReviewerSlotFactory(topic=topic, number=2, reviewer=done), author=done)
    Review.objects.filter(author=done).update(status="submitted", submitted_at=kst(12, 1, 12))
    ReviewerSlotFactory(topic=topic, number=3, reviewer=None)
    return SimpleNamespace(
        week=week, topic=topic, slot=slot, presenter=presenter, writing=writing, done=done
    )


def run_due(moment: datetime) -> None:
    """What beat's 15-minute task does at `moment`."""
    with time_machine.travel(moment, tick=False):
        tasks.send_due_reminders()


def run_weekly(moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        tasks.send_weekly_reminders()


def recipients(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def reviewer_mail(outbox, address: str = "writing@example.com") -> list:
    return [message for message in outbox if message.to == [address]]


# --- the rules, without a database -----------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "quiet"),
    [
        (time(21, 59), False),
        (time(22, 0), True),
        (time(3), True),
        (time(7, 59), True),
        (time(8, 0), False),
        (time(12), False),
    ],
)
def test_quiet_hours_run_from_22_to_8(local, quiet):
    assert reminders.in_quiet_hours(local, time(22), time(8)) is quiet


def test_release_time_is_8_the_next_morning_in_the_recipients_zone():
    policy = ReminderPolicy()
    late = kst(12, 5, 23, 30)
    assert reminders.release_time(late, SEOUL, policy) == kst(12, 6, 8)
    early = kst(12, 6, 2)
    assert reminders.release_time(early, SEOUL, policy) == kst(12, 6, 8)
    noon = kst(12, 6, 12)
    assert reminders.release_time(noon, SEOUL, policy) == noon


def test_stage_is_the_nearest_passed_offset_and_none_after_the_anchor():
    assert reminders.stage_before(DEADLINE, (3, 1), DEADLINE - timedelta(days=4)) is None
    assert reminders.stage_before(DEADLINE, (3, 1), DEADLINE - timedelta(days=2)) == 3
    assert reminders.stage_before(DEADLINE, (3, 1), DEADLINE - timedelta(hours=2)) == 1
    assert reminders.stage_before(DEADLINE, (3, 1), DEADLINE) is None
    assert reminders.stage_after(DEADLINE, (1,), DEADLINE + timedelta(hours=23)) is None
    assert reminders.stage_after(DEADLINE, (1,), DEADLINE + timedelta(days=1, hours=1)) == 1
    assert reminders.stage_after(DEADLINE, (1,), DEADLINE + timedelta(days=2, hours=1)) is None


# --- who gets what, when ---------------------------------------------------------------------


def test_reviewer_is_reminded_3_and_1_days_before_the_deadline_once_each(week, mailoutbox):
    run_due(DEADLINE - timedelta(days=3, minutes=15))
    assert reviewer_mail(mailoutbox) == []
    run_due(DEADLINE - timedelta(days=3))
    run_due(DEADLINE - timedelta(days=3) + timedelta(minutes=15))  # the next beat: nothing new
    run_due(DEADLINE - timedelta(days=2))
    assert len(reviewer_mail(mailoutbox)) == 1
    run_due(DEADLINE - timedelta(days=1))
    run_due(DEADLINE - timedelta(hours=1))
    assert len(reviewer_mail(mailoutbox)) == 2
    assert "Attention Is All You Need" in reviewer_mail(mailoutbox)[1].body


def test_reviewer_who_submitted_is_never_mailed(week, mailoutbox):
    for moment in (
        DEADLINE - timedelta(days=3),
        DEADLINE - timedelta(days=1),
        DEADLINE + timedelta(days=1),
    ):
        run_due(moment)
    run_weekly(kst(12, 7, 9))
    assert "done@example.com" not in recipients(mailoutbox)
    assert "writing@example.com" in recipients(mailoutbox)


def test_presenter_is_reminded_7_and_1_days_before_the_week(week, mailoutbox):
    run_due(WEEK_START - timedelta(days=7))
    run_due(WEEK_START - timedelta(days=6))
    run_due(WEEK_START - timedelta(days=1))
    presenter_mail = [m for m in mailoutbox if m.to == ["presenter@example.com"]]
    assert len(presenter_mail) == 2
    assert "발표" in presenter_mail[0].subject
    assert "작성중" in presenter_mail[0].body  # who reviews their topic


def test_missing_review_gets_one_reminder_a_day_after_the_deadline(week, mailoutbox):
    run_due(DEADLINE + timedelta(hours=23, minutes=45))
    assert recipients(mailoutbox) == ["presenter@example.com"]  # their 1-day reminder
    run_due(DEADLINE + timedelta(days=1))
    run_due(DEADLINE + timedelta(days=1, hours=1))
    assert len(reviewer_mail(mailoutbox)) == 1
    assert "마감이 지났" in reviewer_mail(mailoutbox)[0].subject


def test_late_assignment_gets_only_the_nearest_reminder(week, mailoutbox):
    late = KoreanUserFactory(email="late@example.com")
    ReviewerSlotFactory(topic=week.topic, number=4, reviewer=late)
    run_due(DEADLINE - timedelta(hours=10))
    late_mail = [m for m in mailoutbox if m.to == ["late@example.com"]]
    assert len(late_mail) == 1
    assert SentReminder.objects.get(recipient=late).key == f"week:{week.week.pk}:-1d"


def test_quiet_hours_hold_a_reminder_until_8_in_the_morning(mailoutbox):
    # Due at 23:30 Seoul: held overnight, sent by the first run from 08:00.
    deadline = kst(12, 8, 23, 30)
    week = WeekFactory(starts_at=WEEK_START, review_deadline=deadline)
    reviewer = KoreanUserFactory(email="night@example.com")
    ReviewerSlotFactory(topic=TopicFactory(week=week, presenter=None), reviewer=reviewer)
    run_due(deadline - timedelta(days=3))
    run_due(kst(12, 6, 7, 45))
    assert mailoutbox == []
    held = SentReminder.objects.get(recipient=reviewer)
    assert held.status == SentReminder.Status.QUEUED
    assert held.send_after == kst(12, 6, 8)
    run_due(kst(12, 6, 8))
    run_due(kst(12, 6, 8, 15))
    assert recipients(mailoutbox) == ["night@example.com"]


def test_quiet_hours_follow_the_recipients_own_time_zone(week, mailoutbox):
    # 18:00 in Seoul is 04:00 in New York: held until 08:00 there, 22:00 in Seoul.
    User.objects.filter(pk=week.writing.pk).update(timezone="America/New_York")
    run_due(DEADLINE - timedelta(days=3))
    run_due(kst(12, 5, 21, 45))
    assert reviewer_mail(mailoutbox) == []
    run_due(kst(12, 5, 22))
    assert len(reviewer_mail(mailoutbox)) == 1


def test_weekly_round_mails_reviewers_presenters_and_a_summary_to_organizers(
    week, organizer, mailoutbox
):
    User.objects.filter(pk=organizer.pk).update(language="ko")
    TopicFactory(week=week.week, order=2, title="Orphan paper", presenter=None)
    past = WeekFactory(starts_at=kst(12, 2, 19), review_deadline=kst(12, 1, 18))
    slacker = KoreanUserFactory(email="slacker@example.com", name="게으름")
    ReviewerSlotFactory(topic=TopicFactory(week=past, presenter=None), reviewer=slacker)

    monday = kst(12, 7, 9)
    run_weekly(monday)
    run_weekly(monday + timedelta(minutes=5))  # beat fired twice: nothing new
    assert recipients(mailoutbox) == [
        "organizer@example.com",
        "presenter@example.com",
        "writing@example.com",
    ]
    summary = next(m for m in mailoutbox if m.to == ["organizer@example.com"])
    assert "Orphan paper: 발표자 없음" in summary.body
    assert "Attention Is All You Need: 빈 리뷰어 자리 1" in summary.body
    assert "게으름 · " in summary.body
    assert "미제출" in summary.body
    # The coming week's brief, as chat channels get it, in the organizer's language.
    assert "■ 이번 주 브리핑" in summary.body
    assert "2. Orphan paper — 발표자: 발표자 미정" in summary.body
    assert "남은 리뷰 자리: 1\n아직 리뷰를 내지 않은 분: 작성중" in summary.body
    html = summary.alternatives[0][0]
    assert "이번 주 브리핑" in html and "남은 리뷰 자리: 1" in html


@pytest.fixture
def weekly_only():
    """A policy with no deadline reminders, to watch the weekly round alone."""
    ReminderPolicy.objects.update_or_create(
        pk=1,
        defaults={
            "presenter_days_before": "",
            "reviewer_days_before": "",
            "reviewer_days_after": "",
        },
    )


def test_weekly_reminder_abroad_waits_for_the_morning_there(week, weekly_only, mailoutbox):
    # Monday 09:00 in Seoul is 01:00 in Berlin; the 15-minute runs send it at 08:00 there.
    User.objects.filter(pk=week.writing.pk).update(timezone="Europe/Berlin")
    run_weekly(kst(12, 7, 9))
    assert recipients(mailoutbox) == ["presenter@example.com"]
    run_due(kst(12, 7, 15, 45))
    assert recipients(mailoutbox) == ["presenter@example.com"]
    run_due(kst(12, 7, 16))  # 08:00 in Berlin
    assert recipients(mailoutbox) == ["presenter@example.com", "writing@example.com"]


def test_opted_out_members_get_no_reminders_of_that_kind(week, mailoutbox):
    User.objects.filter(pk=week.writing.pk).update(email_deadlines=False)
    User.objects.filter(pk=week.presenter.pk).update(email_weekly=False)
    run_due(DEADLINE - timedelta(days=3))
    run_weekly(kst(12, 7, 9))
    reviewer = [m.subject for m in reviewer_mail(mailoutbox)]
    presenter = [m.subject for m in reviewer_mail(mailoutbox, "presenter@example.com")]
    assert len(reviewer) == 1
    assert "이번 주 리뷰" in reviewer[0]  # the weekly one, not the deadline one
    assert len(presenter) == 1
    assert "발표 안내" in presenter[0]  # the 7-day one, not the weekly one
    assert SentReminder.objects.get(recipient=week.presenter).kind == Kind.PRESENTER_DEADLINE


def test_held_reminder_is_dropped_if_the_review_comes_in_overnight(mailoutbox):
    deadline = kst(12, 8, 23, 30)
    week = WeekFactory(starts_at=WEEK_START, review_deadline=deadline)
    reviewer = KoreanUserFactory()
    slot = ReviewerSlotFactory(topic=TopicFactory(week=week, presenter=None), reviewer=reviewer)
    run_due(deadline - timedelta(days=3))
    ReviewFactory(slot=slot, author=reviewer, status="submitted", submitted_at=kst(12, 6, 1))
    run_due(kst(12, 6, 8))
    assert mailoutbox == []
    assert SentReminder.objects.get().status == SentReminder.Status.CANCELLED


# --- what the email says ---------------------------------------------------------------------


def test_email_is_in_the_recipients_language_and_time_zone(week, mailoutbox):
    User.objects.filter(pk=week.writing.pk).update(language="en", timezone="Europe/London")
    run_due(DEADLINE - timedelta(days=3))
    run_due(WEEK_START - timedelta(days=7))
    english = next(m for m in mailoutbox if m.to == ["writing@example.com"])
    assert english.subject.startswith("[Seminar] Review due Tue 8 Dec, 09:00")
    assert "Review deadline: Tue 8 Dec 2026, 09:00 (Europe/London)" in english.body
    html, mimetype = english.alternatives[0]
    assert mimetype == "text/html"
    assert "Write your review" in html
    korean = next(m for m in mailoutbox if m.to == ["presenter@example.com"])
    assert "세미나: 2026년 12월 9일 수요일 19:00 (Asia/Seoul)" in korean.body
    assert '<html lang="ko">' in korean.alternatives[0][0]


def _page(request, pk=None, token=None):  # stands in for the real views
    return HttpResponse()


class URLsWithoutEditor:
    """The site as it was before the reviews app had its editor."""

    urlpatterns = [
        path("weeks/<int:pk>/", _page, name="week_detail"),
        path("settings/", _page, name="profile"),
        path("unsubscribe/<str:token>/", _page, name="unsubscribe"),
    ]


def test_email_links_to_the_week_page_while_there_is_no_review_editor(week, mailoutbox, settings):
    settings.ROOT_URLCONF = URLsWithoutEditor
    run_due(DEADLINE - timedelta(days=3))
    body = reviewer_mail(mailoutbox)[0].body
    assert f"http://127.0.0.1:8000/weeks/{week.week.pk}/" in body


def test_email_links_straight_to_the_review_editor(week, mailoutbox, settings):
    settings.SITE_URL = "https://seminar.example.org"
    run_due(DEADLINE - timedelta(days=3))
    body = reviewer_mail(mailoutbox)[0].body
    editor = reverse("review_edit", args=[week.slot.pk])
    assert f"https://seminar.example.org{editor}" in body


def test_every_reminder_carries_one_click_unsubscribe_headers(week, organizer, mailoutbox):
    run_due(DEADLINE - timedelta(days=3))
    run_weekly(kst(12, 7, 9))
    assert len(mailoutbox) == 5
    for email in mailoutbox:
        message = email.message()
        assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/unsubscribe/")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Unsubscribe"][1:-1] in email.body


# --- failures --------------------------------------------------------------------------------


class FlakyBackend(EmailBackend):
    """Locmem, except that the mail server refuses `refused@` and times out on `flaky@`
    while `failing` is on."""

    failing = True

    def send_messages(self, messages):
        for message in messages:
            if "refused@example.com" in message.to:
                raise smtplib.SMTPRecipientsRefused({"refused@example.com": (550, b"No such user")})
            if "flaky@example.com" in message.to and FlakyBackend.failing:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = "tests.seminar.reminders.test_reminders.FlakyBackend"
    FlakyBackend.failing = True
    yield FlakyBackend
    FlakyBackend.failing = True


def test_failed_send_is_retried_with_backoff_and_does_not_hold_back_others(
    week, flaky_mail, mailoutbox
):
    flaky = KoreanUserFactory(email="flaky@example.com")
    refused = KoreanUserFactory(email="refused@example.com")
    for number, user in ((5, flaky), (6, refused)):
        ReviewerSlotFactory(topic=week.topic, number=number, reviewer=user)
    moment = DEADLINE - timedelta(days=3)
    run_due(moment)
    assert len(reviewer_mail(mailoutbox)) == 1  # the others are not held back

    failing = SentReminder.objects.get(recipient=flaky)
    assert failing.status == SentReminder.Status.FAILED
    assert failing.attempts == 1
    assert failing.send_after == moment + timedelta(minutes=5)
    assert "SMTPServerDisconnected" in failing.last_error
    gone = SentReminder.objects.get(recipient=refused)
    assert gone.status == SentReminder.Status.GAVE_UP
    assert "No such user" in gone.last_error

    flaky_mail.failing = False
    run_due(moment + timedelta(minutes=4))  # still backing off
    assert "flaky@example.com" not in recipients(mailoutbox)
    run_due(moment + timedelta(minutes=15))
    run_due(moment + timedelta(minutes=30))
    assert len(reviewer_mail(mailoutbox, "flaky@example.com")) == 1
    assert len(reviewer_mail(mailoutbox)) == 1
    assert SentReminder.objects.get(recipient=flaky).status == SentReminder.Status.SENT
    assert SentReminder.objects.get(recipient=refused).status == SentReminder.Status.GAVE_UP


def test_address_that_keeps_failing_is_given_up_after_max_attempts(week, flaky_mail):
    ReminderPolicy.objects.update_or_create(pk=1, defaults={"max_attempts": 3})
    flaky = KoreanUserFactory(email="flaky@example.com")
    ReviewerSlotFactory(topic=week.topic, number=5, reviewer=flaky)
    moment = DEADLINE - timedelta(days=3)
    for hours in range(0, 5):
        run_due(moment + timedelta(hours=hours))
    row = SentReminder.objects.get(recipient=flaky)
    assert row.status == SentReminder.Status.GAVE_UP
    assert row.attempts == 3


def test_organizers_see_failed_addresses_and_members_may_not(
    week, flaky_mail, client, organizer, member
):
    refused = KoreanUserFactory(email="refused@example.com", name="반송")
    ReviewerSlotFactory(topic=week.topic, number=5, reviewer=refused)
    run_due(DEADLINE - timedelta(days=3))
    client.force_login(member)
    assert client.get("/reminders/").status_code == 403
    client.force_login(organizer)
    response = client.get("/reminders/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "refused@example.com" in html
    assert "No such user" in html


def test_admin_filters_reminders_by_status(week, flaky_mail, admin_client):
    refused = KoreanUserFactory(email="refused@example.com")
    ReviewerSlotFactory(topic=week.topic, number=5, reviewer=refused)
    run_due(DEADLINE - timedelta(days=3))
    response = admin_client.get("/admin/seminar/sentreminder/?status__exact=gave_up")
    assert response.status_code == 200
    assert list(response.context["cl"].queryset.values_list("recipient__email", flat=True)) == [
        "refused@example.com"
    ]


def test_admin_retries_a_failed_address_once_fixed(week, flaky_mail, admin_client, mailoutbox):
    refused = KoreanUserFactory(email="refused@example.com")
    ReviewerSlotFactory(topic=week.topic, number=5, reviewer=refused)
    moment = DEADLINE - timedelta(days=3)
    run_due(moment)
    row = SentReminder.objects.get(recipient=refused)
    User.objects.filter(pk=refused.pk).update(email="fixed@example.com")
    with time_machine.travel(moment + timedelta(minutes=1), tick=False):
        admin_client.post(
            "/admin/seminar/sentreminder/",
            {"action": "retry_now", "_selected_action": [row.pk]},
        )
    run_due(moment + timedelta(minutes=15))
    assert len(reviewer_mail(mailoutbox, "fixed@example.com")) == 1
    row.refresh_from_db()
    assert (row.status, row.address) == (SentReminder.Status.SENT, "fixed@example.com")


def test_admin_edits_the_one_reminder_policy(admin_client):
    ReminderPolicy.objects.get_or_create(pk=1)  # made by the migration; flushed by some tests
    response = admin_client.get("/admin/seminar/reminderpolicy/")
    assert response.status_code == 200
    response = admin_client.post(
        "/admin/seminar/reminderpolicy/1/change/",
        {
            "presenter_days_before": "5, 2",
            "reviewer_days_before": "2",
            "reviewer_days_after": "1, 3",
            "quiet_hours_start": "21:00",
            "quiet_hours_end": "09:00",
            "max_attempts": "4",
        },
    )
    assert response.status_code == 302
    policy = ReminderPolicy.current()
    assert (policy.presenter_days_before, policy.quiet_hours_end) == ("5, 2", time(9))
    bad = admin_client.post(
        "/admin/seminar/reminderpolicy/1/change/",
        {
            "presenter_days_before": "soon",
            "reviewer_days_before": "2",
            "reviewer_days_after": "1",
            "quiet_hours_start": "21:00",
            "quiet_hours_end": "09:00",
            "max_attempts": "4",
        },
    )
    assert bad.status_code == 200  # re-shown with the error
    assert ReminderPolicy.current().presenter_days_before == "5, 2"


# --- assignment emails -----------------------------------------------------------------------


def test_assignment_email_is_sent_after_commit_and_marked_notified(
    week, django_capture_on_commit_callbacks, mailoutbox
):
    newcomer = KoreanUserFactory(email="new@example.com", language="en")
    slot = ReviewerSlotFactory(topic=week.topic, number=7, reviewer=newcomer)
    with (
        time_machine.travel(kst(12, 3, 10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        change = record_assignment_change(
            topic=week.topic, member=newcomer, role="reviewer", assigned=True, actor=None
        )
        assert mailoutbox == []  # nothing before the commit
    assert recipients(mailoutbox) == ["new@example.com"]
    assert mailoutbox[0].subject.startswith("[Seminar] You now review")
    assert reminders.review_editor_url(slot) in mailoutbox[0].body
    change.refresh_from_db()
    assert change.notified_at == kst(12, 3, 10)


def test_assignment_email_respects_opt_out_and_superseded_changes(
    week, django_capture_on_commit_callbacks, mailoutbox
):
    quiet = KoreanUserFactory(email_assignments=False)
    busy = KoreanUserFactory(email="busy@example.com")
    with (
        time_machine.travel(kst(12, 3, 23), tick=False),  # night: the changes are held
        django_capture_on_commit_callbacks(execute=True),
    ):
        for user in (quiet, busy):
            record_assignment_change(
                topic=week.topic, member=user, role="presenter", assigned=True, actor=None
            )
        record_assignment_change(
            topic=week.topic, member=busy, role="presenter", assigned=False, actor=None
        )
    assert mailoutbox == []
    run_due(kst(12, 4, 8))
    assert recipients(mailoutbox) == ["busy@example.com", "presenter@example.com"]
    assert reviewer_mail(mailoutbox, "busy@example.com")[0].subject == (
        f"[Seminar] 발표자 배정이 취소되었습니다 · {week.week.term} 3주차"
    )


def test_no_assignment_email_for_ones_own_claim_or_a_past_week(
    week, django_capture_on_commit_callbacks, mailoutbox
):
    member = KoreanUserFactory()
    past_topic = TopicFactory(
        week=WeekFactory(starts_at=kst(11, 4, 19), review_deadline=kst(11, 3, 18)), presenter=None
    )
    with (
        time_machine.travel(kst(12, 3, 10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        record_assignment_change(
            topic=week.topic, member=member, role="reviewer", assigned=True, actor=member
        )
        record_assignment_change(
            topic=past_topic, member=member, role="presenter", assigned=True, actor=None
        )
    assert mailoutbox == []
    assert SentReminder.objects.count() == 0


# --- the command, the schedule, the benchmark ------------------------------------------------


def test_send_reminders_dry_run_lists_and_sends_nothing(week, mailoutbox, capsys):
    moment = (DEADLINE - timedelta(days=3)).isoformat()
    call_command("send_reminders", "--dry-run", "--now", moment, "--weekly")
    out = capsys.readouterr().out
    assert "writing@example.com" in out
    assert "reviewer_deadline" in out
    assert mailoutbox == []
    assert SentReminder.objects.count() == 0

    call_command("send_reminders", "--now", moment)
    assert recipients(mailoutbox) == ["presenter@example.com", "writing@example.com"]
    call_command("send_reminders", "--now", moment)
    assert len(mailoutbox) == 2


def test_migration_creates_the_schedules_once_and_keeps_admin_edits():
    from importlib import import_module

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    migration = import_module("seminar.migrations.0004_reminder_schedules")
    PeriodicTask.objects.filter(name__in=["Weekly reminders", "Due reminders"]).delete()
    migration.create_schedules(apps, None)
    weekly = PeriodicTask.objects.get(name="Weekly reminders")
    assert weekly.task == "seminar.send_weekly_reminders"
    assert (weekly.crontab.minute, weekly.crontab.hour, weekly.crontab.day_of_week) == (
        "0",
        "9",
        "1",
    )
    assert str(weekly.crontab.timezone) == "Asia/Seoul"
    assert PeriodicTask.objects.get(name="Due reminders").crontab.minute == "*/15"
    PeriodicTask.objects.filter(pk=weekly.pk).update(enabled=False)
    migration.create_schedules(apps, None)
    assert PeriodicTask.objects.filter(name="Weekly reminders").get().enabled is False


def test_benchmark_times_a_run_and_leaves_nothing_behind():
    users = User.objects.count()
    result = run_reminder_benchmark(members=12)
    assert result["emails"] > 0
    assert result["reminders_s_per_1000"] > 0
    assert User.objects.count() == users
    assert SentReminder.objects.count() == 0
    assert not mail.outbox
