"""`python manage.py generate_fake_data --years 5`: years of realistic data for the benchmark."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from bench import fake_data


class Command(BaseCommand):
    help = (
        "Generate years of weeks, topics, reviews, members (who can sign in) and 30,000 "
        "candidate papers, for the benchmark. Terms are named '… · fake', members' addresses "
        f"are at {fake_data.EMAIL_DOMAIN}."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=5, help="past years of weekly sessions")
        parser.add_argument(
            "--weeks", type=int, default=None, help="past weeks (overrides --years; 50 a year)"
        )
        parser.add_argument("--upcoming", type=int, default=10, help="coming weeks")
        parser.add_argument("--members", type=int, default=60)
        parser.add_argument("--papers", type=int, default=30_000, help="candidate papers")
        parser.add_argument(
            "--password",
            default=fake_data.DEFAULT_PASSWORD,
            help="every generated member's password",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="N times the history: N x the weeks, the papers and the members who were ever "
            "in the group (the group at any one time and the coming weeks stay as they are)",
        )
        parser.add_argument("--seed", type=int, default=7, help="random seed")
        parser.add_argument(
            "--if-absent", action="store_true", help="do nothing if generated data is there"
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete generated data first, then generate"
        )
        parser.add_argument("--wipe", action="store_true", help="only delete the generated data")

    def handle(self, *args, **options):
        started = time.perf_counter()
        if options["wipe"] or options["reset"]:
            deleted = fake_data.remove_fake_data()
            self.stdout.write(
                f"Deleted generated data: {deleted} ({time.perf_counter() - started:.1f} s)"
            )
            if options["wipe"]:
                return
        elif fake_data.is_present():
            if options["if_absent"]:
                self.stdout.write("Generated data is present already; nothing to do.")
                return
            raise CommandError(
                "Generated data is present already: use --reset to replace it, --if-absent to "
                "keep it, --wipe to delete it."
            )
        if options["scale"] < 1:
            raise CommandError("--scale is at least 1.")
        weeks = options["weeks"]
        plan = fake_data.scaled_plan(
            options["scale"],
            weeks=weeks if weeks is not None else options["years"] * fake_data.WEEKS_PER_YEAR,
            upcoming=options["upcoming"],
            members=options["members"],
            papers=options["papers"],
        )
        plan.password = options["password"]
        plan.seed = options["seed"]
        report = fake_data.generate(plan, log=lambda line: self.stdout.write(f"  {line}"))
        counts = ", ".join(f"{value} {name}" for name, value in report.counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Generated {counts} in {time.perf_counter() - started:.1f} s.")
        )
