"""`python manage.py bench_search`: candidate pool search speed on the configured database."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from bench.search import remove_bench_papers, run_search_benchmark


class Command(BaseCommand):
    help = (
        "Create synthetic candidate papers (once; arXiv ids 9901.NNNNN), time Korean and "
        "English searches through the pool's selector, print p50/p95. --cleanup removes them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--papers", type=int, default=30000, help="synthetic papers")
        parser.add_argument("--rounds", type=int, default=5, help="timed runs per query")
        parser.add_argument(
            "--cleanup", action="store_true", help="only delete the generated papers and digests"
        )

    def handle(self, *args, papers: int, rounds: int, cleanup: bool, **options):
        if cleanup:
            removed = remove_bench_papers()
            self.stdout.write(f"Removed {removed} generated rows (papers, summaries, interest).")
            return
        result = run_search_benchmark(papers=papers, rounds=rounds)
        for query, figures in result["per_query"].items():
            self.stdout.write(f"  {query:<24} {figures['ms']:>7} ms  {figures['found']} found")
        self.stdout.write(
            f"{result['database']}: {result['papers']} papers; search p50 "
            f"{result['search_p50_ms']} ms, p95 {result['search_p95_ms']} ms "
            f"({result['queries']} queries x {result['rounds']} runs; first page and count)"
        )
        self.stdout.write(json.dumps(result, ensure_ascii=False))
