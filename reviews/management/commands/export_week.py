"""Print a week in exactly the group's markdown format (submitted reviews only)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reviews.pages import export_week
from reviews.selectors import weeks_with_content
from seminar.models import Term
from seminar.services import get_term


class Command(BaseCommand):
    help = "Print week N of the current term (or --term) as the group's markdown page."

    def add_arguments(self, parser):
        parser.add_argument("number", type=int, help="The week number, e.g. 3.")
        parser.add_argument("--term", help="The term's name; the current term if omitted.")

    def handle(self, *args, number: int, term: str | None = None, **options):
        try:
            the_term = get_term(term)
        except Term.DoesNotExist as error:
            raise CommandError(f"No such term: {term}" if term else str(error)) from error
        week = weeks_with_content().filter(term=the_term, number=number).first()
        if week is None:
            raise CommandError(f"Term {the_term.name!r} has no week {number}.")
        self.stdout.write(export_week(week), ending="")
