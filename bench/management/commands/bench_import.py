"""`python manage.py bench_import`: end-to-end digest import speed on the configured database."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from bench.imports import run_import_benchmark


class Command(BaseCommand):
    help = "Import thousands of synthetic papers, print papers per second, and clean up."

    def add_arguments(self, parser):
        parser.add_argument("--papers", type=int, default=6000, help="papers in all")
        parser.add_argument("--per-digest", type=int, default=1500, help="papers per digest")

    def handle(self, *args, papers: int, per_digest: int, **options):
        result = run_import_benchmark(papers=papers, per_digest=per_digest)
        self.stdout.write(
            f"{result['database']}: {int(result['papers'])} papers in "
            f"{int(result['digests'])} digests ({result['megabytes']} MB); "
            f"parse {result['parse_papers_per_s']} papers/s; "
            f"import (new) {result['import_papers_per_s']} papers/s; "
            f"import (known, filling titles) {result['reimport_papers_per_s']} papers/s"
        )
        self.stdout.write(json.dumps(result))
