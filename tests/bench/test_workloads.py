"""The benchmark's pure helpers: scales, percentiles, the mixed and growth reports (not timed),
and the generator's scaled data and bulk load, at a tiny size."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from bench import growth, mixed
from bench.fake_data import EMAIL_DOMAIN, active_window, member_email, scaled_plan
from bench.search import ID_PREFIX, ensure_bench_papers
from papers.models import CandidatePaper, PaperSummary
from reviews.models import Review
from seminar.models import User, Week


def test_percentile_is_the_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert mixed.percentile(values, 0.5) == 51.0
    assert mixed.percentile(values, 0.95) == 95.0
    assert mixed.percentile(values, 0.99) == 99.0
    assert mixed.percentile([7.0], 0.99) == 7.0
    with pytest.raises(ValueError):
        mixed.percentile([], 0.5)


def test_tally_summary_and_missed_targets():
    tally = mixed.Tally(latencies=[0.010] * 90 + [0.200] * 10)
    tally.error("HTTP 500")
    other = mixed.Tally(latencies=[0.010], errors={"HTTP 500": 2, "TimeoutError": 1})
    tally.merge(other)
    summary = tally.summary()
    assert summary["count"] == 101
    assert summary["p50_ms"] == 10.0
    assert summary["p99_ms"] == 200.0
    assert summary["errors"] == {"HTTP 500": 3, "TimeoutError": 1}
    assert mixed.missed(summary) == ["p95", "errors"]
    assert mixed.missed({"count": 3, "p95_ms": 99.9}) == []
    assert mixed.missed({"count": 0}) == []


def test_mixed_report_lines_name_what_missed():
    result = {
        "members": 20,
        "organizers": 1,
        "seconds": 30.0,
        "sessions_submitted": 31,
        "requests": 500,
        "rps": 16.7,
        "server_cpu_ms": 12.5,
        "db_cpu_ms": 2.0,
        "generator_cpu_percent": 3.1,
        "types": {
            "dashboard": {"count": 60, "p50_ms": 20.0, "p95_ms": 40.0, "p99_ms": 60.0},
            "submit": {
                "count": 31,
                "p50_ms": 80.0,
                "p95_ms": 140.0,
                "p99_ms": 150.0,
                "errors": {"HTTP 200": 1},
            },
        },
    }
    lines = mixed.report_lines(result)
    assert "31 sessions submitted" in lines[0]
    dashboard = next(line for line in lines if line.startswith("dashboard"))
    assert dashboard.split()[1:] == ["60", "20.0", "40.0", "60.0"]
    submit = next(line for line in lines if line.startswith("submit"))
    assert "p95, errors" in submit and "HTTP 200" in submit
    assert "3.1% of one core" in lines[-1]


def test_scales_and_their_databases():
    assert growth.scales_from("10, 1,4,4") == [1, 4, 10]
    with pytest.raises(ValueError):
        growth.scales_from("0,4")
    base = "postgres://postgres@127.0.0.1:5432/seminar_bench"
    assert growth.scale_database_url(base, 1) == base
    assert growth.scale_database_url(base, 10) == base + "_x10"
    assert growth.scale_database_url(base + "?sslmode=disable", 4) == (base + "_x4?sslmode=disable")


def _page(app: float, db: float, queries: int) -> dict:
    return {"server_cpu_ms": float(app), "db_cpu_ms": float(db), "queries": queries, "p95_ms": 10.0}


def test_growing_pages_by_cpu_or_query_count():
    scales = {
        "1": {
            "pages": {"week": _page(10, 2, 7), "search": _page(20, 20, 7), "paper": _page(5, 1, 9)}
        },
        "4": {
            "pages": {"week": _page(10, 2, 7), "search": _page(25, 40, 7), "paper": _page(5, 1, 9)}
        },
        "10": {
            "pages": {"week": _page(11, 2, 7), "search": _page(30, 70, 7), "paper": _page(5, 1, 10)}
        },
    }
    scales["1"]["pages"]["archive"] = _page(40, 5, 5)
    scales["4"]["pages"]["archive"] = _page(40, 10, 5)
    scales["10"]["pages"]["archive"] = _page(40, 15, 5)  # +22% in all, the database x3
    growing = growth.growing_pages(scales)
    assert set(growing) == {"search", "paper", "archive"}
    assert growing["archive"].startswith("db CPU 5.0 -> 15.0")
    assert "+150%" in growing["search"] and "1x -> 10x" in growing["search"]
    assert growing["paper"] == "queries 9 -> 9 -> 10"
    lines = growth.report_lines({"seconds_per_page": 4, "scales": scales, "growing": growing})
    week = next(line for line in lines if line.startswith("week"))
    assert week.split()[1:4] == ["10.0", "10.0", "11.0"]
    assert any(line.strip().startswith("search:") for line in lines)
    failed = {**scales, "4": {"database": "x", "error": "exit 1"}}
    assert growth.growing_pages(failed)  # 1x and 10x still compare
    assert any(
        "4x: failed" in line
        for line in growth.report_lines({"seconds_per_page": 4, "scales": failed, "growing": {}})
    )


def test_scaled_plan_and_the_active_window():
    plan = scaled_plan(10)
    assert (plan.weeks, plan.papers, plan.members, plan.active) == (2500, 300_000, 600, 60)
    assert plan.upcoming == 10
    with pytest.raises(ValueError):
        scaled_plan(0)
    # One times the data: everyone, always.
    assert active_window(0, 250, 60, 60) == slice(0, 60)
    # More members than the group: the oldest week has the last members, the newest and the
    # coming weeks the first (the benchmark's clients).
    assert active_window(0, 2500, 600, 60) == slice(540, 600)
    assert active_window(2499, 2500, 600, 60) == slice(0, 60)
    assert active_window(2500, 2500, 600, 60) == slice(0, 60)
    middle = active_window(1250, 2500, 600, 60)
    assert 0 < middle.start < 540 and middle.stop - middle.start == 60


@pytest.mark.django_db
@pytest.mark.usefixtures("fixed_clock")
def test_generate_fake_data_at_a_scale():
    call_command(
        "generate_fake_data",
        *["--weeks", "4", "--upcoming", "2", "--members", "6", "--papers", "30"],
        *["--scale", "3"],
    )
    assert Week.objects.count() == 4 * 3 + 2
    assert User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").count() == 18
    assert CandidatePaper.objects.filter(arxiv_id__startswith=ID_PREFIX).count() == 90
    drafts = Review.objects.filter(status=Review.Status.DRAFT).select_related("author")
    # The coming weeks' reviewers are today's group: the first six members.
    today = {member_email(n) for n in range(1, 7)}
    assert drafts.exists() and {r.author.email for r in drafts} <= today
    oldest = Week.objects.order_by("starts_at").first()
    reviewers = {
        slot.reviewer.email
        for topic in oldest.topics.all()
        for slot in topic.slots.select_related("reviewer")
    }
    assert not reviewers & today  # members of long ago


@pytest.mark.django_db
def test_the_bulk_load_rebuilds_the_trigram_indexes(monkeypatch):
    import bench.search

    monkeypatch.setattr(bench.search, "BULK_PAPERS", 10)
    monkeypatch.setattr(bench.search, "CHUNK", 16)

    def gin_indexes() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'gin'"
                " AND i.indrelid = 'papers_candidatepaper'::regclass"
            )
            return {row[0] for row in cursor.fetchall()}

    before = gin_indexes()
    assert ensure_bench_papers(50) == 50
    assert gin_indexes() == before
    papers = CandidatePaper.objects.filter(arxiv_id__startswith=ID_PREFIX)
    assert papers.count() == 50
    assert PaperSummary.objects.filter(paper__in=papers).count() >= 50
    assert all(p.search_text and p.search_title for p in papers)
    assert ensure_bench_papers(50) == 0
