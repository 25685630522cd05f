"""Backfills: fetching a dated source's digests for a range of past dates.

An organizer picks a range on the sources page (`start_backfill`); one task walks through it
(`run_backfill`), one fetch per date with a pause between fetches, writing each date's outcome
on the `BackfillRun` row as soon as it is known. A run that stops (its time budget spent, or
its worker killed) continues from that row when it runs again: dates with a final outcome
(imported, already imported, not published) are not fetched again; failed ones are retried.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from papers import tasks
from papers.models import BackfillRun, DigestSource
from seminar.lib.queue import enqueue_on_commit

if TYPE_CHECKING:
    from seminar.models import User

RECENT_RUNS_SHOWN = 10


def not_dated_message() -> str:
    return _(
        "Only a source with dates (a URL template with {date}, or the Hugging Face API) "
        "can be backfilled."
    )


def max_days() -> int:
    """The longest range one backfill may cover (each date is one download)."""
    return int(getattr(settings, "BACKFILL_MAX_DAYS", 92))


def pause_seconds() -> float:
    """The pause between two downloads: the source's server is someone else's."""
    return float(getattr(settings, "BACKFILL_PAUSE_SECONDS", 2.0))


def task_budget_seconds() -> float:
    """How long one task works before handing the rest to a new task: well inside the
    worker's soft time limit, so a long range never ends in a killed task."""
    return float(getattr(settings, "BACKFILL_TASK_BUDGET_SECONDS", 7 * 60))


def dates_of(run: BackfillRun) -> list[date]:
    return [
        run.start_date + timedelta(days=n) for n in range((run.end_date - run.start_date).days + 1)
    ]


def recent_runs() -> QuerySet[BackfillRun]:
    return BackfillRun.objects.select_related("source").order_by("-created_at")[:RECENT_RUNS_SHOWN]


def start_backfill(
    *,
    source: DigestSource,
    start: date,
    end: date,
    requested_by: User | None,
    today: date | None = None,
) -> tuple[BackfillRun, bool]:
    """Queue a backfill of `start`..`end` for a dated source; return the run and whether it
    is new. The same range asked again while its run is unfinished, stalled or has failed
    dates continues that run instead of starting another."""
    today = today or timezone.localdate()
    if not source.is_dated:
        raise ValidationError(not_dated_message(), code="not_dated")
    if start > end:
        raise ValidationError(_("The first date must not be after the last."), code="order")
    if end > today:
        raise ValidationError(_("The last date must not be in the future."), code="future")
    if (end - start).days + 1 > max_days():
        raise ValidationError(
            _("A backfill covers at most %(days)d days.") % {"days": max_days()}, code="too_long"
        )
    with transaction.atomic():
        runs = BackfillRun.objects.select_for_update().filter(source=source)
        same = runs.filter(start_date=start, end_date=end).order_by("-created_at").first()
        if same is not None and (_has_failures(same) or same.is_stalled):
            _requeue(same)
            return same, False
        busy = [run for run in runs.exclude(status__in=_FINISHED) if not run.is_stalled]
        if busy:
            raise ValidationError(
                _("A backfill of this source is already running (%(start)s to %(end)s).")
                % {"start": busy[0].start_date, "end": busy[0].end_date},
                code="busy",
            )
        run = BackfillRun.objects.create(
            source=source,
            start_date=start,
            end_date=end,
            days_total=(end - start).days + 1,
            requested_by=requested_by,
        )
        enqueue_on_commit(tasks.run_backfill, run.pk)
    return run, True


_FINISHED = (BackfillRun.Status.DONE, BackfillRun.Status.PARTIAL)


def _has_failures(run: BackfillRun) -> bool:
    return run.is_finished and any(
        row.get("outcome") == BackfillRun.Outcome.FAILED for row in run.days.values()
    )


def _requeue(run: BackfillRun) -> None:
    BackfillRun.objects.filter(pk=run.pk).update(
        status=BackfillRun.Status.PENDING, finished_at=None, updated_at=timezone.now()
    )
    run.status = BackfillRun.Status.PENDING
    enqueue_on_commit(tasks.run_backfill, run.pk)


def run_backfill(*, run_id: int, budget: float | None = None) -> bool:
    """Work through a run's dates; True if its time budget ran out with dates left (the
    caller queues the rest), False when the run is finished or gone."""
    from papers import polling  # polling imports the import engine; loaded by the worker only

    run = BackfillRun.objects.select_related("source").filter(pk=run_id).first()
    if run is None or run.is_finished:
        return False
    deadline = time.monotonic() + (task_budget_seconds() if budget is None else budget)
    now = timezone.now()
    run.status = BackfillRun.Status.RUNNING
    run.started_at = run.started_at or now
    run.updated_at = now
    run.save(update_fields=["status", "started_at", "updated_at"])
    fetched = False
    for day in dates_of(run):
        key = day.isoformat()
        if run.days.get(key, {}).get("outcome") in BackfillRun.FINAL_OUTCOMES:
            continue  # done by an earlier run of this row
        if time.monotonic() >= deadline:
            return True
        if fetched and pause_seconds() > 0:
            time.sleep(pause_seconds())
        result = polling.import_day(source=run.source, day=day)
        fetched = result.outcome != BackfillRun.Outcome.ALREADY
        detail = "\n".join(filter(None, [result.detail, *result.problems]))
        run.days[key] = {
            "outcome": str(result.outcome),
            "detail": detail[:1000],
            "digest": result.digest.pk if result.digest is not None else None,
        }
        run.days_done = len(run.days)
        run.updated_at = timezone.now()
        # Written per date: a killed worker loses at most the date it was on.
        run.save(update_fields=["days", "days_done", "updated_at"])
    failed = any(row.get("outcome") == BackfillRun.Outcome.FAILED for row in run.days.values())
    run.status = BackfillRun.Status.PARTIAL if failed else BackfillRun.Status.DONE
    run.finished_at = run.updated_at = timezone.now()
    run.save(update_fields=["status", "finished_at", "updated_at"])
    return False
