from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from bench.reminders import run_reminder_benchmark


class Command(BaseCommand):
    help = "Time one reminder run for N members (default 1,000); leaves nothing behind."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=1000)

    def handle(self, *args, members: int, **options):
        self.stdout.write(json.dumps(run_reminder_benchmark(members=members), indent=2))
