"""Notification emails: right away (once, after quiet hours, with the one-click unsubscribe)
and the daily digest at each member's hour in their zone, once, however often and however
concurrently the task runs."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection

from seminar.discussion import delivery, services
from seminar.discussion.tasks import send_notification_emails
from seminar.models import Channel, NotificationEmail, NotificationSettings
from tests.factories import TopicFactory, UserFactory, WeekFactory
from tests.support import postgres_only

SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")
# A Tuesday in a spring term; the meeting is the Friday after.
MORNING = datetime(2027, 3, 2, 8, 30, tzinfo=SEOUL)


def _to(member) -> list:
    return [m for m in mail.outbox if m.to == [member.email]]


@pytest.mark.django_db
def test_a_mention_is_emailed_once_right_away_with_a_one_click_unsubscribe(
    scene, client, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with time_machine.travel(MORNING.replace(hour=11), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.post_comment(
                author=scene.reader, topic=scene.topic, body="@조재현 읽어 보세요"
            )
        assert len(_to(scene.third)) == 1
        message = _to(scene.third)[0]
        assert "박민경" in message.subject and "Spurious Rewards" in message.subject
        assert "읽어 보세요" in message.body
        link = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # The beat task finds nothing more to send.
        send_notification_emails()
        assert len(_to(scene.third)) == 1
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.post("/" + path).status_code == 200
    assert NotificationSettings.objects.get(member=scene.third).mention == Channel.APP


@pytest.mark.django_db
def test_an_email_in_the_quiet_hours_waits_for_the_morning(scene):
    mail.outbox.clear()
    night = datetime(2027, 3, 2, 23, 30, tzinfo=SEOUL)
    with time_machine.travel(night, tick=False):
        services.post_comment(author=scene.reader, topic=scene.topic, body="@조재현 밤에")
        send_notification_emails()
    assert _to(scene.third) == []
    row = NotificationEmail.objects.get(recipient=scene.third)
    assert row.send_after == datetime(2027, 3, 3, 8, 0, tzinfo=SEOUL)
    with time_machine.travel(datetime(2027, 3, 3, 8, 5, tzinfo=SEOUL), tick=False):
        send_notification_emails()
        send_notification_emails()
    assert len(_to(scene.third)) == 1


@pytest.mark.django_db
def test_an_email_for_a_comment_deleted_before_it_left_is_cancelled(scene):
    mail.outbox.clear()
    with time_machine.travel(datetime(2027, 3, 2, 23, 30, tzinfo=SEOUL), tick=False):
        comment = services.post_comment(author=scene.reader, topic=scene.topic, body="@조재현")
        services.delete_comment(comment=comment, actor=scene.reader)
    with time_machine.travel(datetime(2027, 3, 3, 9, 0, tzinfo=SEOUL), tick=False):
        send_notification_emails()
    assert _to(scene.third) == []
    assert NotificationEmail.objects.get(recipient=scene.third).status == "cancelled"


def _digest_world():
    """Members who each get a reply a few times in the day (a reply goes to the digest by
    default): one at 09:00 in Seoul, one at 20:00 in Berlin, one at 23:00 (quiet hours) and
    one who chose the app only."""
    start = MORNING - timedelta(days=1)
    with time_machine.travel(start, tick=False):
        week = WeekFactory(
            starts_at=start + timedelta(days=10), review_deadline=start + timedelta(days=9)
        )
        topic = TopicFactory(week=week, order=1, title="A day of talk")
        writer = UserFactory(name="글쓴이")
        seoul = UserFactory(name="서울", timezone="Asia/Seoul")
        berlin = UserFactory(name="베를린", timezone="Europe/Berlin", language="ko")
        late = UserFactory(name="밤", timezone="Asia/Seoul")
        quiet = UserFactory(name="앱만", timezone="Asia/Seoul")
        NotificationSettings.objects.create(member=seoul, digest_hour=9)
        NotificationSettings.objects.create(member=berlin, digest_hour=20)
        NotificationSettings.objects.create(member=late, digest_hour=23)
        NotificationSettings.objects.create(
            member=quiet, reply="app", mention="app", question="app", new_review="app"
        )
        tops = {
            m: services.post_comment(author=m, topic=topic, body="첫 글")
            for m in (seoul, berlin, late, quiet)
        }
    # The day's events: replies at 01:00, 10:00 and 15:00 Seoul time.
    for hour in (1, 10, 15):
        with time_machine.travel(MORNING.replace(hour=hour, minute=0), tick=False):
            for top in tops.values():
                services.post_comment(author=writer, parent=top, body=f"{hour}시의 답글")
    return seoul, berlin, late, quiet


@pytest.mark.django_db
def test_a_day_of_events_makes_one_digest_per_member_at_their_hour(db):
    seoul, berlin, late, quiet = _digest_world()
    mail.outbox.clear()
    sent_at: dict[str, list[datetime]] = {}
    moment = MORNING.replace(hour=0, minute=5)
    while moment < MORNING + timedelta(days=1, hours=10):
        with time_machine.travel(moment, tick=False):
            before = len(mail.outbox)
            send_notification_emails()
            send_notification_emails()  # twice: nothing more
            for message in mail.outbox[before:]:
                sent_at.setdefault(message.to[0], []).append(moment)
        moment += timedelta(minutes=10)
    # Seoul at 09:05 (the replies of 01:00 only; 10:00 and 15:00 wait for the next day).
    assert sent_at[seoul.email][0] == MORNING.replace(hour=9, minute=5)
    # Berlin: 20:00 there is 04:00 the next morning in Seoul.
    assert sent_at[berlin.email][0].astimezone(BERLIN).hour == 20
    # 23:00 is inside the quiet hours (22:00-08:00): moved to 08:00 (the next morning).
    assert [t.astimezone(SEOUL).hour for t in sent_at[late.email]] == [8, 8]
    assert quiet.email not in sent_at
    assert all(len(times) == len(set(times)) for times in sent_at.values())
    first_seoul = next(m for m in mail.outbox if m.to == [seoul.email])
    assert "1시의 답글" in first_seoul.body and "10시의 답글" not in first_seoul.body
    assert first_seoul.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The Seoul member's second digest (next morning) carries the rest; nothing is lost.
    assert len(sent_at[seoul.email]) == 2
    second = [m for m in mail.outbox if m.to == [seoul.email]][1]
    assert "10시의 답글" in second.body and "15시의 답글" in second.body
    berlin_mail = [m for m in mail.outbox if m.to == [berlin.email]]
    assert len(berlin_mail) == 2 and "오늘의 토론 소식" in berlin_mail[0].subject
    assert "1시의 답글" in berlin_mail[0].body and "10시의 답글" in berlin_mail[1].body
    assert NotificationEmail.objects.filter(kind="digest", status="sent").count() == 6
    assert NotificationEmail.objects.filter(recipient=quiet).count() == 0


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_digest_once():
    seoul, berlin, late, _quiet = _digest_world()
    mail.outbox.clear()
    at = MORNING.replace(hour=9, minute=1)
    barrier = threading.Barrier(2)
    problems: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            delivery.run_notification_emails(at)
        except BaseException as error:  # reported below
            problems.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert problems == []
    # Each member's digest whose moment has come, once: Seoul (09:00) and the quiet-hours one
    # (08:00). Berlin's (20:00 there, 04:00 here) is queued, held: it is 01:01 in Berlin.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([seoul.email, late.email])
    rows = NotificationEmail.objects.filter(kind="digest")
    assert sorted(rows.values_list("recipient__email", "status")) == sorted(
        [(seoul.email, "sent"), (late.email, "sent"), (berlin.email, "queued")]
    )
