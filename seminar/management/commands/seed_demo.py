from django.core.management.base import BaseCommand

from seminar.demo import DEMO_PASSWORD, seed_demo
from seminar.models import User


class Command(BaseCommand):
    help = "Create the demo accounts (password 'seminar-demo'), week 1 and the candidate pool."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the database has any member."
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and User.objects.exists():
            self.stdout.write("Members exist already; demo data not loaded.")
            return
        for line in seed_demo():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(f"Demo ready. Sign in with password {DEMO_PASSWORD!r}.")
        )
