"""Demo data for `make run`: the seed week page, its people, and the seed digests.

The seed files in `seeds/` are the reading group's own (a week page and four daily digests),
the same as the test suite's fixtures; the demo keeps its own copy so production code never
reads `tests/`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from papers.services import import_digest_file
from reviews import weekpage
from reviews.pages import import_week_page
from seminar.meetings import DEFAULT_DEADLINE, MEETING_TIME, group_zone
from seminar.models import Term, User, Week
from seminar.services import ensure_organizers_group, make_organizer

DEMO_PASSWORD = "seminar-demo"
ORGANIZER_EMAIL = "organizer@example.com"
SEEDS_DIR = Path(__file__).resolve().parent / "seeds"
WEEK_PAGE = SEEDS_DIR / "000_fc51c2f87046c2e4.txt"
DIGESTS = sorted(SEEDS_DIR.glob("00[1-9]_*.txt"))
DEMO_TERM = "데모 학기"

# Stable addresses for the people named in the seed page, so the demo logins never change.
KNOWN_MEMBERS = {
    "박민경": "minkyung@example.com",
    "조재현": "jaehyun@example.com",
    "장재후": "jaehoo@example.com",
}


def _demo_account(*, email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name)
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _names_in(page: weekpage.WeekPage) -> list[str]:
    names: list[str] = []
    for topic in page.topics:
        names += [topic.presenter] if topic.presenter else []
        names += [slot.reviewer for slot in topic.slots if slot.reviewer]
    return list(dict.fromkeys(names))


def _next_thursday_evening(today: date) -> datetime:
    days = (3 - today.weekday()) % 7 or 7
    return datetime.combine(today + timedelta(days=days), MEETING_TIME, tzinfo=group_zone())


@transaction.atomic
def seed_demo() -> list[str]:
    """Create the demo accounts, week 1 and the candidate pool; safe to run again."""
    # Digests first, so topics whose title matches an imported paper get linked to it.
    report: list[str] = _import_demo_digests()
    ensure_organizers_group()
    organizer = _demo_account(email=ORGANIZER_EMAIL, name="운영자")
    make_organizer(organizer)

    page = weekpage.parse_week_page(WEEK_PAGE.read_text(encoding="utf-8"))
    for index, name in enumerate(_names_in(page), start=1):
        _demo_account(email=KNOWN_MEMBERS.get(name, f"member{index}@example.com"), name=name)
    report.append(f"accounts: {User.objects.filter(emailaddress__verified=True).count()}")

    today = timezone.localdate()
    term, _ = Term.objects.get_or_create(
        name=DEMO_TERM, defaults={"starts_on": today - timedelta(days=today.weekday())}
    )
    if not Week.objects.filter(term=term, number=1).exists():
        starts_at = _next_thursday_evening(today)
        deadline = DEFAULT_DEADLINE.deadline_for(starts_at)
        import_week_page(
            page=page, term=term, number=1, starts_at=starts_at, review_deadline=deadline
        )
        report.append("week 1 created from the seed page")
    else:
        report.append("week 1 already there")
    return report


def _import_demo_digests() -> list[str]:
    lines = []
    for path in DIGESTS:
        digest = import_digest_file(path=path)
        lines.append(f"digest {path.name}: {digest.status}")
    return lines
