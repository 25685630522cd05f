"""The materials tests' small world (shared with tests/hardening/test_materials_abuse.py): a
week ten days ahead of the fixed clock, one topic presented by `member` and reviewed by
`other_member` (not submitted), and a second topic without a presenter."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from tests.conftest import FIXED_INSTANT
from tests.factories import ReviewerSlotFactory, TopicFactory, WeekFactory

PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def use_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://seminar.example.org"
    return tmp_path / "media"


def build_world(*, member, other_member, organizer) -> SimpleNamespace:
    starts = FIXED_INSTANT + timedelta(days=10, hours=9)  # Saturday 19:00 in Seoul
    week = WeekFactory(number=4, starts_at=starts, review_deadline=starts - timedelta(hours=20))
    topic = TopicFactory(week=week, order=1, title="Attention Is All You Need", presenter=member)
    slot = ReviewerSlotFactory(topic=topic, number=1, reviewer=other_member)
    unassigned = TopicFactory(week=week, order=2, title="BERT", presenter=None)
    return SimpleNamespace(
        week=week,
        topic=topic,
        slot=slot,
        unassigned=unassigned,
        presenter=member,
        reviewer=other_member,
        organizer=organizer,
    )


def stored_files(media) -> list[str]:
    if not media.exists():
        return []
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())
