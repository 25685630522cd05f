"""A seminar that can be grown one unit at a time, for the query-count tests.

`World.grow()` adds one unit of everything the main pages list: a topic (with a draft, a
submitted review and an open slot) in the coming week, a later week the member presents in, a
past week with reviews, a candidate paper with summaries and interest marks, one more summary,
interest and topic for the paper whose page is measured, one more section and slot on the
review being edited, an import run, reminder emails in every state organizers see, assignment
changes and an unavailable date. Pages must answer 1× and 5× in the same number of queries.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from django.utils import timezone

from papers.models import Digest, DigestSource, PaperInterest, PaperSummary
from reviews.models import Review, ReviewSection
from seminar.models import AssignmentChange, SentReminder, Unavailability
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

SUMMARY = [
    {
        "heading": "요약",
        "body": "강화 학습으로 **에이전트**를 훈련합니다 (reinforcement learning).",
    },
    {"heading": "기여", "body": "- 첫째\n- 둘째 $x^2$"},
]


class World:
    def __init__(self) -> None:
        self.now = timezone.now()
        self._n = count(1)
        self.term = TermFactory(starts_on=timezone.localdate() - timedelta(days=400))
        self.member = UserFactory(email="viewer@example.com", calendar_token="viewer-token-1")
        self.organizer = UserFactory(email="boss@example.com", calendar_token="boss-token-1")
        make_organizer(self.organizer)
        self.source = DigestSource.objects.create(
            name="daily", kind=DigestSource.Kind.FOLDER, location="/tmp/digests"
        )
        self.next_week = self._week(days=3)
        self.paper = CandidatePaperFactory(arxiv_id="2501.00001", title="The measured paper")
        editor_topic = TopicFactory(
            week=self.next_week, order=1, paper=self.paper, presenter=self.organizer
        )
        self.editor_slot = ReviewerSlotFactory(topic=editor_topic, number=1, reviewer=self.member)
        self.editor_review = Review.objects.create(slot=self.editor_slot, author=self.member)
        self.units = 0

    # --- helpers -------------------------------------------------------------------------

    def _week(self, *, days: float):
        starts = self.now + timedelta(days=days)
        return WeekFactory(
            term=self.term, starts_at=starts, review_deadline=starts - timedelta(hours=20)
        )

    def _review(self, slot, *, submitted: bool, sections: int = 2, late: bool = False):
        review = Review.objects.create(
            slot=slot,
            author=slot.reviewer,
            status=Review.Status.SUBMITTED if submitted else Review.Status.DRAFT,
            submitted_at=self.now if submitted else None,
            is_late=late,
        )
        for order in range(1, sections + 1):
            ReviewSection.objects.create(
                review=review, order=order, heading=f"절 {order}", body=f"**본문** {order} $y$"
            )
        return review

    def _digest(self, uploaded_by=None) -> Digest:
        n = next(self._n)
        return DigestFactory(
            source=self.source,
            uploaded_by=uploaded_by,
            origin=f"digest-{n}.md",
            date=timezone.localdate() - timedelta(days=n),
            errors=[{"arxiv_id": "", "reason": "one bad paper"}] if n % 2 else [],
            status=Digest.Status.PARTIAL if n % 2 else Digest.Status.DONE,
        )

    # --- one unit --------------------------------------------------------------------------

    def grow(self, times: int = 1) -> World:
        for _ in range(times):
            self._grow_once()
        return self

    def _grow_once(self) -> None:
        self.units += 1
        k = self.units
        someone = UserFactory(calendar_token=f"someone-token-{k}")
        digest = self._digest(uploaded_by=someone)

        # A candidate with two summaries and interest marks (the list, the search).
        candidate = CandidatePaperFactory(title=f"Reinforcement study {k}", votes=k)
        PaperSummary.objects.create(paper=candidate, digest=digest, sections=SUMMARY)
        PaperSummary.objects.create(paper=candidate, digest=self._digest(), sections=SUMMARY)
        PaperInterest.objects.create(paper=candidate, member=self.member, kind="hear")
        PaperInterest.objects.create(paper=candidate, member=someone, kind="present")

        # The coming week: one more topic with a draft, a submitted review and an open slot.
        topic = TopicFactory(week=self.next_week, order=k + 1, presenter=someone, paper=candidate)
        mine = ReviewerSlotFactory(topic=topic, number=1, reviewer=self.member)
        self._review(mine, submitted=False)
        theirs = ReviewerSlotFactory(topic=topic, number=2, reviewer=self.organizer)
        self._review(theirs, submitted=True, sections=k % 3 + 2)
        ReviewerSlotFactory(topic=topic, number=3)

        # A later week the member presents in and reviews, with an open slot.
        later = self._week(days=3 + 7 * k)
        presenting = TopicFactory(week=later, order=1, presenter=self.member, paper=self.paper)
        ReviewerSlotFactory(topic=presenting, number=1, reviewer=someone)
        ReviewerSlotFactory(topic=presenting, number=2)
        other = TopicFactory(week=later, order=2, presenter=None)
        ReviewerSlotFactory(topic=other, number=1, reviewer=self.member)
        ReviewerSlotFactory(topic=other, number=2)

        # A past week with submitted (one late) and missing reviews.
        past = self._week(days=-7 * k)
        old = TopicFactory(week=past, order=1, presenter=someone)
        self._review(ReviewerSlotFactory(topic=old, number=1, reviewer=self.member), submitted=True)
        self._review(
            ReviewerSlotFactory(topic=old, number=2, reviewer=self.organizer),
            submitted=True,
            late=True,
        )
        ReviewerSlotFactory(topic=old, number=3, reviewer=someone)

        # The measured paper: one more summary, interest mark and (above) topic.
        PaperSummary.objects.create(paper=self.paper, digest=digest, sections=SUMMARY)
        PaperInterest.objects.create(paper=self.paper, member=someone, kind="hear")

        # The review being edited: one more section; its topic one more slot.
        ReviewSection.objects.create(
            review=self.editor_review, order=k, heading=f"절 {k}", body=f"본문 {k} $z$"
        )
        ReviewerSlotFactory(topic=self.editor_slot.topic, number=k + 1, reviewer=someone)

        # Assignment history, an unavailable date, reminder emails in every state.
        for slot_topic, role in ((topic, "presenter"), (presenting, "presenter")):
            AssignmentChange.objects.create(
                topic=slot_topic, member=someone, role=role, assigned=True, actor=self.organizer
            )
        AssignmentChange.objects.create(
            topic=topic, member=self.member, role="reviewer", assigned=True, actor=self.organizer
        )
        Unavailability.objects.create(
            member=someone, date=timezone.localdate(self.next_week.starts_at), note="away"
        )
        for status, send_after, claimed in (
            (SentReminder.Status.GAVE_UP, self.now, None),
            (SentReminder.Status.FAILED, self.now + timedelta(hours=1), None),
            (SentReminder.Status.SENDING, self.now, self.now - timedelta(hours=1)),
            (SentReminder.Status.QUEUED, self.now + timedelta(hours=8), None),
            (SentReminder.Status.SENT, self.now, self.now),
        ):
            SentReminder.objects.create(
                recipient=someone,
                kind=SentReminder.Kind.REVIEWER_DEADLINE,
                key=f"week:{later.pk}:{status}",
                week=later,
                status=status,
                send_after=send_after,
                claimed_at=claimed,
                attempts=1,
                last_error="SMTPServerDisconnected" if status != "sent" else "",
            )
