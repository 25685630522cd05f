"""The small world every URL of the permission matrix is requested in.

Four roles: a signed-out visitor; the owner (a member who reviews a slot with a draft, has an
unavailable date, a calendar link, an unsubscribe link); another member with no part in any
of it; an organizer (staff, in the organizers group).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from papers.models import Digest, DigestSource, PaperInterest, PaperSummary
from reviews.models import Review, ReviewSection
from seminar import reminders
from seminar.models import Invitation, Unavailability, User
from seminar.services import make_organizer
from tests.factories import (
    CandidatePaperFactory,
    DigestFactory,
    ReviewerSlotFactory,
    TermFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)
from tests.papers.builders import hf_digest

ROLES = ("anonymous", "owner", "other", "organizer")
DRAFT_TEXT = "소유자만 보는 초안"
# Named the way uploads are stored (seminar/uploads.py): other names are never served.
MEDIA_FILE = "markdownx/0123456789abcdef0123456789abcdef.png"


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class MatrixWorld:
    users: dict[str, User | None]
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> MatrixWorld:
    owner = UserFactory(email="owner@example.com", name="소유자", calendar_token="owner-cal")
    other = UserFactory(email="other@example.com", name="다른회원")
    organizer = UserFactory(email="organizer@example.com", name="운영자")
    make_organizer(organizer)
    presenter = UserFactory(email="presenter@example.com", name="발표자")

    term = TermFactory(starts_on=timezone.localdate() - timedelta(days=30))
    starts = timezone.now() + timedelta(days=10)
    week = WeekFactory(term=term, starts_at=starts, review_deadline=starts - timedelta(hours=20))
    later = WeekFactory(
        term=term,
        starts_at=starts + timedelta(days=7),
        review_deadline=starts + timedelta(days=7) - timedelta(hours=20),
    )
    paper = CandidatePaperFactory(arxiv_id="2506.01234", title="A paper in the pool")
    other_paper = CandidatePaperFactory(arxiv_id="2506.05678", title="Another paper in the pool")
    digest = DigestFactory(
        status=Digest.Status.FAILED, errors=[{"arxiv_id": "", "reason": "x"}], origin="old.md"
    )
    PaperSummary.objects.create(
        paper=paper, digest=digest, sections=[{"heading": "요약", "body": "강화 학습"}]
    )
    PaperInterest.objects.create(paper=paper, member=owner, kind="hear")
    source = DigestSource.objects.create(
        name="daily", kind=DigestSource.Kind.FOLDER, location="/nonexistent/digests"
    )
    topic = TopicFactory(week=week, order=1, presenter=presenter, paper=paper, title="Topic A")
    slot = ReviewerSlotFactory(topic=topic, number=1, reviewer=owner)
    review = Review.objects.create(slot=slot, author=owner)
    ReviewSection.objects.create(review=review, order=1, heading="초안", body=DRAFT_TEXT)
    open_slot = ReviewerSlotFactory(topic=topic, number=2)
    empty_topic = TopicFactory(week=week, order=2, presenter=None, title="Topic B")
    away = Unavailability.objects.create(
        member=owner, date=timezone.localdate() + timedelta(days=20), note="trip"
    )
    invitation = Invitation.objects.create(email="newcomer@example.com", invited_by=organizer)
    for user in (owner, other, organizer, presenter):  # as signing up leaves them
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return MatrixWorld(
        users={"anonymous": None, "owner": owner, "other": other, "organizer": organizer},
        objects={
            "owner": owner,
            "other": other,
            "organizer": organizer,
            "presenter": presenter,
            "term": term,
            "week": week,
            "later": later,
            "paper": paper,
            "other_paper": other_paper,
            "digest": digest,
            "source": source,
            "topic": topic,
            "empty_topic": empty_topic,
            "slot": slot,
            "review": review,
            "open_slot": open_slot,
            "away": away,
            "invitation": invitation,
            "unsubscribe_token": reminders.unsubscribe_token(owner, "weekly"),
        },
    )


def url_values(w: MatrixWorld) -> dict[str, dict[str, str]]:
    """The values each non-admin URL is requested with, by URL name."""
    return {
        "week_detail": {"pk": str(w.week.pk)},
        "accept_invitation": {"token": w.invitation.token},
        "unsubscribe": {"token": w.unsubscribe_token},
        "schedule_add_topic": {"pk": str(w.week.pk)},
        "schedule_assign_presenter": {"pk": str(w.empty_topic.pk)},
        "schedule_move_topic": {"pk": str(w.empty_topic.pk)},
        "schedule_set_slot_count": {"pk": str(w.empty_topic.pk)},
        "schedule_unlink_paper": {"pk": str(w.topic.pk)},
        "schedule_remove_topic": {"pk": str(w.empty_topic.pk)},
        "schedule_assign_reviewer": {"pk": str(w.open_slot.pk)},
        "member_calendar": {"token": "owner-cal"},
        "group_calendar": {"token": "owner-cal"},
        "unavailable_date_delete": {"pk": str(w.away.pk)},
        "digest_import_detail": {"pk": str(w.digest.pk)},
        "digest_import_retry": {"pk": str(w.digest.pk)},
        "digest_import_progress": {"pk": str(w.digest.pk)},
        "digest_source_poll": {"pk": str(w.source.pk)},
        "digest_source_backfill": {"pk": str(w.source.pk)},
        "paper_interest": {"arxiv_id": w.paper.arxiv_id},
        "paper_status": {"arxiv_id": w.paper.arxiv_id},
        "paper_edit": {"arxiv_id": w.paper.arxiv_id},
        "paper_fetch_metadata": {"arxiv_id": w.paper.arxiv_id},
        "paper_merge": {"arxiv_id": w.paper.arxiv_id},
        "paper_detail": {"arxiv_id": w.paper.arxiv_id},
        "slot_claim": {"pk": str(w.open_slot.pk)},
        "slot_release": {"pk": str(w.slot.pk)},
        "review_edit": {"pk": str(w.slot.pk)},
        "review_autosave": {"pk": str(w.slot.pk)},
        "week_export": {"pk": str(w.week.pk)},
        "account_confirm_email": {"key": "not-a-real-key"},
        "account_reset_password_from_key": {"uidb36": "1", "key": "not-a-real-key"},
        "member_media": {"path": MEDIA_FILE},
    }


def post_data(name: str, w: MatrixWorld) -> dict[str, Any]:
    """A valid POST body for each URL that takes one (what an allowed user would send)."""
    from reviews import services as review_services

    day = (timezone.localdate() + timedelta(days=40)).isoformat()
    sections = {
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "1",
        "sections-0-heading": "바뀐 제목",
        "sections-0-body": "바뀐 본문",
        "version": review_services.version_of(w.review),
        "action": "save",
    }
    return {
        "profile": {
            "name": "새 이름",
            "language": "en",
            "timezone": "Asia/Seoul",
            "email_weekly": "on",
        },
        "set_language": {"language": "en", "next": "/"},
        "invitations": {"emails": "invitee@example.com"},
        "schedule_create_weeks": {
            "term": w.term.pk,
            "first_date": day,
            "time": "19:00",
            "count": 1,
            "skip_dates": "",
            "deadline_days_before": 1,
            "deadline_time": "23:59",
            "place": "온라인",
        },
        "schedule_add_topic": {"title": "New topic", "paper": "", "slot_count": 2},
        "schedule_assign_presenter": {"member": w.other.pk},
        "schedule_move_topic": {"week": w.later.pk},
        "schedule_set_slot_count": {"count": 3},
        "schedule_remove_topic": {},
        "schedule_assign_reviewer": {"member": w.other.pk},
        "calendar_settings": {"action": "regenerate"},
        "unavailable_dates": {"date": day, "note": "busy"},
        "digest_imports": {
            "files": SimpleUploadedFile(
                "fresh.md",
                hf_digest(timezone.localdate(), [("2506.09999", "Fresh")]).encode(),
                content_type="text/markdown",
            )
        },
        "paper_interest": {"kind": "present", "marked": "1"},
        "paper_status": {"action": "dismiss"},
        # A paper already in the pool: added without asking arXiv.
        "paper_add": {"reference": f"https://arxiv.org/abs/{w.paper.arxiv_id}v2"},
        "paper_edit": {"edit-title": "A corrected title", "edit-authors": "A. Author"},
        "paper_fetch_metadata": {},
        # Into another paper of the pool: the world's paper, its summary, mark and topic move.
        "paper_merge": {"merge-into": w.other_paper.arxiv_id},
        "review_edit": sections,
        "review_autosave": sections,
        "account_login": {"login": "owner@example.com", "password": "wrong-password"},
        "account_signup": {
            "email": "stranger@example.com",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
            "name": "낯선이",
        },
        "account_reset_password": {"email": "owner@example.com"},
        "markdownx_markdownify": {"content": "**굵게** <img src=x onerror=alert(1)>"},
        "markdownx_upload": {
            "image": SimpleUploadedFile("pic.png", png_bytes(), content_type="image/png")
        },
    }.get(name, {})
