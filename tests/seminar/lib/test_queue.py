"""The enqueue helper's timing rule, without a database or a broker."""

from __future__ import annotations

from datetime import timedelta

from seminar.lib.queue import worker_gone_after


def test_a_worker_is_certainly_gone_a_minute_after_the_hard_time_limit(settings):
    settings.CELERY_TASK_TIME_LIMIT = 600
    assert worker_gone_after() == timedelta(minutes=11)
    settings.CELERY_TASK_TIME_LIMIT = 30
    assert worker_gone_after() == timedelta(seconds=90)


def test_without_a_time_limit_the_default_ten_minutes_count(settings):
    settings.CELERY_TASK_TIME_LIMIT = None
    assert worker_gone_after() == timedelta(minutes=11)
