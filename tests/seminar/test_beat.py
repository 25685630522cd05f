"""The worker's schedules come from one table (seminar/beat.py), ensured after every migrate."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from seminar.beat import SCHEDULES, ensure_beat_schedules

pytestmark = pytest.mark.django_db(transaction=True)


def test_migrate_makes_every_schedule_of_the_table_in_the_configured_zone(settings):
    PeriodicTask.objects.all().delete()
    call_command("migrate", verbosity=0)
    tasks = {t.task: t for t in PeriodicTask.objects.select_related("crontab")}
    assert set(tasks) >= {s.task for s in SCHEDULES}
    for schedule in SCHEDULES:
        crontab = tasks[schedule.task].crontab
        assert (crontab.minute, crontab.hour, crontab.day_of_week) == (
            schedule.minute,
            schedule.hour,
            schedule.day_of_week,
        )
        assert str(crontab.timezone) == settings.TIME_ZONE


def test_ensuring_twice_creates_nothing_more():
    ensure_beat_schedules()
    count = PeriodicTask.objects.count()
    assert ensure_beat_schedules() == []
    assert PeriodicTask.objects.count() == count


def test_a_schedule_edited_in_the_admin_is_never_overwritten():
    ensure_beat_schedules()
    weekly = PeriodicTask.objects.get(task="seminar.send_weekly_reminders")
    friday, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="18", day_of_week="5", timezone="Asia/Seoul"
    )
    weekly.crontab = friday
    weekly.enabled = False
    weekly.save()
    call_command("migrate", verbosity=0)
    weekly.refresh_from_db()
    assert (weekly.crontab_id, weekly.enabled) == (friday.pk, False)
    assert PeriodicTask.objects.filter(task="seminar.send_weekly_reminders").count() == 1


def test_a_row_made_by_an_early_migration_is_adopted_by_its_name():
    ensure_beat_schedules()
    row = PeriodicTask.objects.get(task="papers.poll_all_digest_sources")
    row.task = "papers.poll_all_digest_sources_renamed_by_hand"
    row.save()
    assert "Poll digest sources" not in ensure_beat_schedules()
