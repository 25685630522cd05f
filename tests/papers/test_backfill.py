"""Backfills: a range of past dates of a dated source, one fetch per date, resumable."""

from __future__ import annotations

import time
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from papers import backfill
from papers.models import BackfillRun, CandidatePaper, Digest, DigestSource
from tests.papers.builders import list_digest
from tests.papers.hf_answers import THREE_PAPERS, body

pytestmark = pytest.mark.django_db

NOW = "2025-06-10 09:00 +09:00"  # "today" is 2025-06-10
MAY_24, MAY_25, MAY_26 = date(2025, 5, 24), date(2025, 5, 25), date(2025, 5, 26)


@pytest.fixture(autouse=True)
def local_servers_and_no_pause(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.BACKFILL_PAUSE_SECONDS = 0


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(NOW, tick=True):
        yield date(2025, 6, 10)


def _template_source(httpserver) -> DigestSource:
    return DigestSource.objects.create(
        name="daily", kind="url", location=httpserver.url_for("/d/{date}.md")
    )


def _hf_source(httpserver) -> DigestSource:
    return DigestSource.objects.create(
        name="hf", kind="hf_api", location=httpserver.url_for("/api/daily_papers")
    )


def _serve_day(httpserver, day: date, arxiv_id: str) -> None:
    text = list_digest(day, [(arxiv_id, f"Paper of {day}", 3, ["A. Author"])])
    httpserver.expect_request(f"/d/{day}.md").respond_with_data(text.encode())


def _run(source, start, end, user=None) -> BackfillRun:
    run, _created = backfill.start_backfill(source=source, start=start, end=end, requested_by=user)
    backfill.run_backfill(run_id=run.pk)
    run.refresh_from_db()
    return run


def test_a_range_of_three_dates_records_each_dates_outcome(httpserver):
    _serve_day(httpserver, MAY_24, "2505.10001")
    httpserver.expect_request("/d/2025-05-25.md").respond_with_data("Not Found", status=404)
    _serve_day(httpserver, MAY_26, "2505.10003")
    run = _run(_template_source(httpserver), MAY_24, MAY_26)
    assert (run.status, run.days_done, run.days_total) == ("done", 3, 3)
    assert {day: row["outcome"] for day, row in run.days.items()} == {
        "2025-05-24": "imported",
        "2025-05-25": "not_published",
        "2025-05-26": "imported",
    }
    assert "not published (HTTP 404)" in run.days["2025-05-25"]["detail"]
    assert run.days["2025-05-24"]["digest"] == Digest.objects.get(date=MAY_24).pk
    assert set(CandidatePaper.objects.values_list("arxiv_id", flat=True)) == {
        "2505.10001",
        "2505.10003",
    }
    assert [row["label"] for row in run.day_rows] == ["Imported", "Not published", "Imported"]


def test_a_failed_date_makes_the_run_partial_and_the_same_range_again_retries_only_it(
    httpserver,
):
    source = _hf_source(httpserver)
    path = "/api/daily_papers"
    httpserver.expect_request(path, query_string="date=2025-05-24").respond_with_data(b"[]")
    httpserver.expect_oneshot_request(path, query_string="date=2025-05-25").respond_with_data(
        b"Bad Gateway", status=502
    )
    httpserver.expect_request(path, query_string="date=2025-05-25").respond_with_data(
        body(THREE_PAPERS), content_type="application/json"
    )
    httpserver.expect_request(path, query_string="date=2025-05-26").respond_with_data(b"[]")
    run = _run(source, MAY_24, MAY_26)
    assert run.status == "partial"
    assert run.days["2025-05-25"]["outcome"] == "failed"
    assert "HTTP 502" in run.days["2025-05-25"]["detail"]
    asked_before = len(httpserver.log)

    again = _run(source, MAY_24, MAY_26)

    assert again.pk == run.pk  # the same run continues
    assert again.status == "done"
    assert again.days["2025-05-25"]["outcome"] == "imported"
    assert "1 entries without an arXiv id" in again.days["2025-05-25"]["detail"]
    asked = [r.query_string.decode() for r, _ in httpserver.log[asked_before:]]
    assert asked == ["date=2025-05-25"]  # the not-published dates are not asked again


def test_a_run_killed_midway_continues_from_the_dates_on_its_row(httpserver):
    _serve_day(httpserver, MAY_24, "2505.10001")
    _serve_day(httpserver, MAY_25, "2505.10002")
    _serve_day(httpserver, MAY_26, "2505.10003")
    source = _template_source(httpserver)
    run, _ = backfill.start_backfill(source=source, start=MAY_24, end=MAY_26, requested_by=None)
    # What a worker killed after its first date leaves: that date recorded, the run running.
    BackfillRun.objects.filter(pk=run.pk).update(
        status="running", days={"2025-05-24": {"outcome": "imported", "detail": ""}}, days_done=1
    )
    backfill.run_backfill(run_id=run.pk)
    run.refresh_from_db()
    assert [r.path for r, _ in httpserver.log] == ["/d/2025-05-25.md", "/d/2025-05-26.md"]
    assert (run.status, run.days_done) == ("done", 3)


def test_a_spent_time_budget_hands_the_rest_to_a_new_task(httpserver):
    for n, day in enumerate((MAY_24, MAY_25, MAY_26)):
        _serve_day(httpserver, day, f"2505.1000{n}")
    source = _template_source(httpserver)
    run, _ = backfill.start_backfill(source=source, start=MAY_24, end=MAY_26, requested_by=None)
    assert backfill.run_backfill(run_id=run.pk, budget=0) is True  # nothing done, more to do
    run.refresh_from_db()
    assert (run.status, run.days_done, run.days_total) == ("running", 0, 3)
    backfill.run_backfill(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.days_done) == ("done", 3)


def test_the_task_runs_the_backfill_queued_by_the_page(
    httpserver, django_capture_on_commit_callbacks
):
    _serve_day(httpserver, MAY_26, "2505.10003")
    source = _template_source(httpserver)
    with django_capture_on_commit_callbacks(execute=True):
        run, created = backfill.start_backfill(
            source=source, start=MAY_26, end=MAY_26, requested_by=None
        )
    run.refresh_from_db()
    assert created and run.status == "done"
    assert CandidatePaper.objects.filter(arxiv_id="2505.10003").exists()


def test_fetches_are_paced(httpserver, settings):
    settings.BACKFILL_PAUSE_SECONDS = 0.2
    for n, day in enumerate((MAY_24, MAY_25, MAY_26)):
        _serve_day(httpserver, day, f"2505.1000{n}")
    started = time.monotonic()
    _run(_template_source(httpserver), MAY_24, MAY_26)
    assert time.monotonic() - started >= 0.4  # two pauses between three fetches


def test_an_imported_date_is_not_downloaded_again_by_a_new_run(httpserver):
    _serve_day(httpserver, MAY_26, "2505.10003")
    source = _template_source(httpserver)
    _run(source, MAY_26, MAY_26)
    asked_before = len(httpserver.log)
    run = _run(source, MAY_26, MAY_26)  # the first run is done: this is a new one
    assert run.days["2025-05-26"]["outcome"] == "already"
    assert len(httpserver.log) == asked_before
    assert BackfillRun.objects.count() == 2


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (MAY_26, MAY_24, "must not be after"),
        (date(2025, 6, 9), date(2025, 6, 11), "must not be in the future"),
        (date(2025, 3, 1), date(2025, 6, 1), "at most 92 days"),
    ],
    ids=["reversed", "future", "too-long"],
)
def test_a_range_that_cannot_be_backfilled_is_refused(httpserver, start, end, message):
    with pytest.raises(ValidationError, match=message):
        backfill.start_backfill(
            source=_template_source(httpserver), start=start, end=end, requested_by=None
        )
    assert BackfillRun.objects.count() == 0


def test_a_source_without_dates_cannot_be_backfilled(settings, tmp_path):
    for kind, location in (("folder", str(tmp_path)), ("url", "https://example.org/latest.md")):
        source = DigestSource.objects.create(name=kind, kind=kind, location=location)
        with pytest.raises(ValidationError, match="Only a source with dates"):
            backfill.start_backfill(source=source, start=MAY_24, end=MAY_24, requested_by=None)


def test_a_second_range_is_refused_while_one_runs(httpserver):
    source = _template_source(httpserver)
    backfill.start_backfill(source=source, start=MAY_24, end=MAY_25, requested_by=None)
    with pytest.raises(ValidationError, match="already running"):
        backfill.start_backfill(source=source, start=MAY_25, end=MAY_26, requested_by=None)
