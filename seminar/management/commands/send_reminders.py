from __future__ import annotations

import argparse
from datetime import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from seminar import reminders


def parse_moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO date and time: {value!r}") from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # the group's zone (TIME_ZONE)
    return moment


class Command(BaseCommand):
    help = (
        "Send the reminder emails due now (or at --now): deadline reminders, mail held over "
        "quiet hours, retries; with --weekly also the weekly round. --dry-run only lists them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List who would get what; send and write nothing.",
        )
        parser.add_argument(
            "--now",
            type=parse_moment,
            help="Act as if it were this moment, e.g. 2026-11-23T09:00 (the group's zone if none).",
        )
        parser.add_argument(
            "--weekly", action="store_true", help="Also run the weekly round (Mondays on beat)."
        )

    def handle(self, *args, dry_run: bool, now: datetime | None, weekly: bool, **options):
        now = now or timezone.now()
        if dry_run:
            rows = reminders.preview(now, weekly=weekly)
            for when, kind, email, about in rows:
                local = timezone.localtime(when).strftime("%Y-%m-%d %H:%M %Z")
                self.stdout.write(f"{local}  {kind:<18}  {email}  {about}")
            self.stdout.write(f"Dry run at {now.isoformat()}: {len(rows)} email(s); none sent.")
            return
        counts = reminders.run_reminders(now, weekly=weekly)
        summary = ", ".join(f"{outcome.value} {n}" for outcome, n in counts.items() if n)
        self.stdout.write(
            self.style.SUCCESS(f"Reminders at {now.isoformat()}: {summary or 'none due'}.")
        )
