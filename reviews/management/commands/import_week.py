"""Import one of the group's markdown week pages: topics, people, reviews and open slots."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.db.models import Max
from django.utils import timezone

from reviews import weekpage
from reviews.pages import import_week_page
from seminar.meetings import DEFAULT_DEADLINE, MEETING_TIME, group_zone
from seminar.models import Term
from seminar.services import get_term

# When a page gives only a date: the group meets in the evening and reviews are due the night
# before (the same as the demo week).


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date must look like 2025-05-29, not {value!r}.") from error


class Command(BaseCommand):
    help = (
        "Import a week page in the group's format into the current term (or --term): topics, "
        "presenters and reviewers (matched by display name; unknown names become inactive "
        "members), submitted reviews, and '(내용)' slots as open slots."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The markdown page, UTF-8.")
        parser.add_argument(
            "--number", type=int, help="Week number; default: the page's, else the next free."
        )
        parser.add_argument(
            "--date",
            type=_parse_date,
            help="YYYY-MM-DD of the meeting (19:00; reviews due the day before at 23:59). "
            "Default: a week after the term's last week, else today.",
        )
        parser.add_argument("--term", help="The term's name; the current term if omitted.")

    def handle(self, *args, file: Path, number=None, date=None, term=None, **options):
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            the_term = get_term(term)
        except Term.DoesNotExist as error:
            raise CommandError(
                f"No term named {term!r}; create it in the admin first."
                if term
                else "There is no term yet; create one in the admin first."
            ) from error

        page = weekpage.parse_week_page(text)
        for problem in page.problems:
            self.stderr.write(f"warning: {problem}")
        last = the_term.weeks.aggregate(number=Max("number"), starts_at=Max("starts_at"))
        number = number or page.number or (last["number"] or 0) + 1
        if number < 1:
            raise CommandError("The week number must be 1 or more.")
        if date is None:
            date = (
                timezone.localtime(last["starts_at"]).date() + timedelta(days=7)
                if last["starts_at"]
                else timezone.localdate()
            )
        starts_at = datetime.combine(date, MEETING_TIME, tzinfo=group_zone())
        deadline = DEFAULT_DEADLINE.deadline_for(starts_at)
        try:
            week = import_week_page(
                page=page,
                term=the_term,
                number=number,
                starts_at=starts_at,
                review_deadline=deadline,
            )
        except IntegrityError as error:
            raise CommandError(
                f"Term {the_term.name!r} already has a week {number}; pass --number."
            ) from error
        slots = sum(len(t.slots) for t in page.topics)
        reviews = sum(1 for t in page.topics for s in t.slots if s.sections)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {the_term.name} week {week.number} ({date:%Y-%m-%d}): "
                f"{len(page.topics)} topics, {slots} slots, {reviews} reviews."
            )
        )
