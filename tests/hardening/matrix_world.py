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
from seminar.models import (
    ChatChannel,
    ChatDelivery,
    IncomingChange,
    Invitation,
    RepositoryConnection,
    SlotOffer,
    Unavailability,
    User,
)
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
# The topic's uploaded slides (seminar/materials/uploads.py names them this way).
SLIDES_FILE = "slides/0123456789abcdef0123456789abcdef.pdf"


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
    # A week with no topics (#13): the one the matrix removes.
    empty_week = WeekFactory(
        term=term,
        starts_at=starts + timedelta(days=14),
        review_deadline=starts + timedelta(days=14) - timedelta(hours=20),
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
    topic = TopicFactory(
        week=week,
        order=1,
        presenter=presenter,
        paper=paper,
        title="Topic A",
        slides_file=SLIDES_FILE,
    )
    slot = ReviewerSlotFactory(topic=topic, number=1, reviewer=owner)
    review = Review.objects.create(slot=slot, author=owner)
    ReviewSection.objects.create(review=review, order=1, heading="초안", body=DRAFT_TEXT)
    open_slot = ReviewerSlotFactory(topic=topic, number=2)
    empty_topic = TopicFactory(week=week, order=2, presenter=None, title="Topic B")
    away = Unavailability.objects.create(
        member=owner, date=timezone.localdate() + timedelta(days=20), note="trip"
    )
    invitation = Invitation.objects.create(email="newcomer@example.com", invited_by=organizer)
    # Swaps (#13): the owner offers their slot (open); the owner's talk in the later week is
    # offered too, and the other member has asked to take it (pending an organizer).
    own_talk = TopicFactory(week=later, order=1, presenter=owner, title="Topic C")
    open_offer = SlotOffer.objects.create(
        topic=topic, slot=slot, role=SlotOffer.Role.REVIEWER, offered_by=owner
    )
    pending_offer = SlotOffer.objects.create(
        topic=own_talk,
        role=SlotOffer.Role.PRESENTER,
        offered_by=owner,
        taker=other,
        status=SlotOffer.Status.PENDING,
    )
    # Integrations (#16): a repository on an address git is never sent to (refused before it
    # runs), an edit made in it, a chat channel whose URL `fetch` refuses without connecting,
    # and a message given up.
    repository = RepositoryConnection.objects.create(
        name="archive", url="https://127.0.0.1:9/g/a.git", auth="token", secret="matrix-token"
    )
    incoming = IncomingChange.objects.create(
        connection=repository,
        week=week,
        path="weeks/x/01.md",
        base_text="a\n",
        remote_text="b\n",
        remote_blob_sha="1" * 40,
    )
    channel = ChatChannel.objects.create(
        name="lab", kind="slack", url="https://127.0.0.1:9/hook", events=["brief"]
    )
    given_up = ChatDelivery.objects.create(
        channel=channel, event="brief", event_key="brief:1", payload={}, status="gave_up"
    )
    discussion = _discussion_world(owner=owner, other=other, topic=topic, paper=paper)  # #15
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
            "empty_week": empty_week,
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
            "repository": repository,
            "incoming": incoming,
            "channel": channel,
            "given_up": given_up,
            "own_talk": own_talk,
            "open_offer": open_offer,
            "pending_offer": pending_offer,
            "unsubscribe_token": reminders.unsubscribe_token(owner, "weekly"),
            **discussion,
        },
    )


def url_values(w: MatrixWorld) -> dict[str, dict[str, str]]:
    """The values each non-admin URL is requested with, by URL name."""
    return {
        **_discussion_urls(w),  # discussion (#15)
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
        "paper_vote": {"arxiv_id": w.other_paper.arxiv_id},  # votes (#13): a pool paper
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
        "integration_repository_edit": {"pk": str(w.repository.pk)},
        "integration_repository_delete": {"pk": str(w.repository.pk)},
        "integration_repository_sync": {"pk": str(w.repository.pk)},
        "integration_archive_import": {"pk": str(w.repository.pk)},
        "integration_change": {"pk": str(w.incoming.pk)},
        "integration_channel_edit": {"pk": str(w.channel.pk)},
        "integration_channel_delete": {"pk": str(w.channel.pk)},
        "integration_delivery_retry": {"pk": str(w.given_up.pk)},
        # Swaps and invitations (#13): the owner's slot and talk, the world's two offers, the
        # pending invitation.
        "swap_offer_slot": {"pk": str(w.slot.pk)},
        "swap_offer_presenter": {"pk": str(w.own_talk.pk)},
        "swap_take": {"pk": str(w.open_offer.pk)},
        "swap_withdraw": {"pk": str(w.open_offer.pk)},
        "swap_approve": {"pk": str(w.pending_offer.pk)},
        "swap_decline": {"pk": str(w.pending_offer.pk)},
        "week_swap_policy": {"pk": str(w.week.pk)},
        # Editing and removing a week (#13): the week with topics is edited, the empty one
        # removed.
        "week_edit": {"pk": str(w.week.pk)},
        "week_remove": {"pk": str(w.empty_week.pk)},
        "invitation_resend": {"pk": str(w.invitation.pk)},
        "invitation_revoke": {"pk": str(w.invitation.pk)},
        # Terms in the app (#13): the world's term (its coming week has topics, so closing
        # it is answered with a message; reopening an open term too).
        "schedule_rename_term": {"pk": str(w.term.pk)},
        "schedule_close_term": {"pk": str(w.term.pk)},
        "schedule_reopen_term": {"pk": str(w.term.pk)},
        # Materials and the reminders tool (#13): the presenter is none of the four roles.
        "topic_materials": {"pk": str(w.topic.pk)},
        "topic_slides": {"pk": str(w.topic.pk)},
        "week_materials": {"pk": str(w.week.pk)},
        "reminder_preview": {
            "week": str(w.week.pk),
            "member": str(w.owner.pk),
            "kind": "reviewer_deadline",
        },
        "reminder_remind_now": {"pk": str(w.week.pk)},
        "digest_source_edit": {"pk": str(w.source.pk)},
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
    repository_form = {
        "name": "archive",
        "url": "https://github.com/group/archive.git",
        "branch": "main",
        "auth": "none",
        "secret_source": "field",
        "path_template": "weeks/{term}/{number:02d}.md",
        "index_path": "README.md",
        "co_authors": "anonymous",
    }
    channel_form = {
        "name": "lab",
        "kind": "slack",
        "url": "https://hooks.slack.com/services/T0/B0/X",
        "events": ["brief"],
    }
    return {
        **_discussion_posts(w),  # discussion (#15)
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
        # A new term with its weeks (#13), well after the world's weeks.
        "schedule_create_term": {
            "name": "다음 학기",
            "starts_on": (timezone.localdate() + timedelta(days=60)).isoformat(),
            "ends_on": (timezone.localdate() + timedelta(days=80)).isoformat(),
            "weekday": "3",
            "meeting_time": "19:00",
            "place": "온라인",
            "online_url": "",
            "deadline_days_before": "1",
            "deadline_time": "23:59",
            "action": "create",
        },
        # Editing the world's term (#13): a valid edit, handed to its coming weeks.
        "schedule_rename_term": {
            "name": "새 이름의 학기",
            "starts_on": w.term.starts_on.isoformat(),
            "ends_on": "",
            "weekday": "3",
            "meeting_time": "18:00",
            "place": "도서관",
            "online_url": "",
            "deadline_days_before": "1",
            "deadline_time": "23:59",
            "apply_to_coming_weeks": "on",
        },
        "schedule_add_topic": {"title": "New topic", "paper": "", "slot_count": 2},
        "swap_offer_slot": {"note": "출장"},
        "swap_offer_presenter": {"note": "출장"},
        "week_swap_policy": {"swap_policy": "approve", "same_week_policy": "warn"},
        # The world's week an hour later, in another room, its deadline by the term's rule.
        "week_edit": {
            "date": timezone.localtime(w.week.starts_at).date().isoformat(),
            "time": (timezone.localtime(w.week.starts_at) + timedelta(hours=1)).strftime("%H:%M"),
            "place": "공학관 301",
            "online_url": "https://meet.example.org/week",
            "deadline_from_rule": "on",
            "late_policy": "refuse",
            "notes": "간식 있음",
        },
        "week_remove": {"confirm": "1"},
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
        # Votes and the agenda (#13): the pool's other paper, into the later week.
        "paper_vote": {"action": "vote"},
        "agenda_schedule": {"paper": w.other_paper.arxiv_id, "week": w.later.pk},
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
        "integration_repository_add": repository_form,
        "integration_repository_edit": repository_form,
        "integration_change": {"action": "keep"},
        "integration_channel_add": channel_form,
        "integration_channel_edit": channel_form,
        "markdownx_upload": {
            "image": SimpleUploadedFile("pic.png", png_bytes(), content_type="image/png")
        },
        # Materials and the reminders tool (#13).
        "topic_materials": {"slides_url": "https://example.org/slides.pdf", "code_url": ""},
        "week_materials": {"online_url": "https://meet.example.org/abc", "recording_url": ""},
        "reminder_status": {
            "policy-presenter_days_before": "7, 1",
            "policy-reviewer_days_before": "2",
            "policy-reviewer_days_after": "1",
            "policy-quiet_hours_start": "22:00",
            "policy-quiet_hours_end": "08:00",
            "policy-max_attempts": "5",
        },
        "digest_source_add": {
            "name": "another",
            "kind": "url",
            "location": "https://digests.example.org/{date}.md",
            "days_back": "3",
            "enabled": "on",
        },
        "digest_source_edit": {
            "name": "daily",
            "kind": "url",
            "location": "https://digests.example.org/{date}.md",
            "days_back": "3",
        },
    }.get(name, {})


# --- discussion (#15) ------------------------------------------------------------------------


def _discussion_world(*, owner, other, topic, paper) -> dict[str, Any]:
    """The other member reviews the topic too and has submitted (so the owner, whose review
    is a draft, may not read it yet: the visibility rule); the owner commented on the topic
    and has a notification of it; the other member asked the presenter a question."""
    from seminar.discussion import services as discussion_services
    from seminar.discussion import unsubscribe as discussion_unsubscribe
    from seminar.models import Comment, Notification

    other_slot = ReviewerSlotFactory(topic=topic, number=3, reviewer=other)
    submitted = Review.objects.create(
        slot=other_slot, author=other, status=Review.Status.SUBMITTED, submitted_at=timezone.now()
    )
    ReviewSection.objects.create(review=submitted, order=1, heading="리뷰", body="제출된 리뷰")
    comment = Comment.objects.create(topic=topic, author=owner, body="소유자의 댓글")
    question = Comment.objects.create(
        topic=topic, author=other, body="발표자에게 질문", kind=Comment.Kind.QUESTION
    )
    notification = Notification.objects.create(
        recipient=owner, kind="reply", key="comment:0", actor=other, link="/"
    )
    discussion_services.settings_for(owner)
    return {
        "submitted_review": submitted,
        "comment": comment,
        "question": question,
        "notification": notification,
        "paper_pk": paper.pk,
        "notification_unsubscribe_token": discussion_unsubscribe.unsubscribe_token(
            owner, "mention"
        ),
    }


def _discussion_urls(w: MatrixWorld) -> dict[str, dict[str, str]]:
    return {
        "review_detail": {"pk": str(w.submitted_review.pk)},
        "topic_comment": {"pk": str(w.topic.pk)},
        "review_comment": {"pk": str(w.submitted_review.pk)},
        "paper_comment": {"pk": str(w.paper_pk)},
        "comment_reply": {"pk": str(w.comment.pk)},
        "comment_edit": {"pk": str(w.comment.pk)},
        "comment_delete": {"pk": str(w.comment.pk)},
        "comment_hide": {"pk": str(w.comment.pk)},
        "comment_answer": {"pk": str(w.question.pk)},
        "comment_react": {"pk": str(w.comment.pk)},
        "review_react": {"pk": str(w.submitted_review.pk)},
        "week_export_questions": {"pk": str(w.week.pk)},
        "notification_open": {"pk": str(w.notification.pk)},
        "notification_unsubscribe": {"token": w.notification_unsubscribe_token},
    }


def _discussion_posts(w: MatrixWorld) -> dict[str, dict[str, Any]]:
    body = {"body": "좋은 논문이네요 @[다른회원]"}
    return {
        "topic_comment": body,
        "review_comment": body,
        "paper_comment": body,
        "comment_reply": body,
        "comment_edit": {"body": "고친 댓글"},
        "comment_hide": {"reason": "주제와 무관"},
        "comment_answer": {"answered": "1"},
        "comment_react": {"kind": "helpful"},
        "review_react": {"kind": "agree"},
        "notification_settings": {
            "mention": "email",
            "question": "email",
            "reply": "app",
            "new_review": "digest",
            "digest_hour": "8",
        },
    }
