"""factory_boy factories for the domain, shared by every test module."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from papers.models import CandidatePaper, Digest, PaperSummary
from reviews.models import Review, ReviewSection
from seminar.models import ReviewerSlot, Term, Topic, User, Week

SEOUL = ZoneInfo("Asia/Seoul")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"member{n}@example.com")
    name = factory.Sequence(lambda n: f"회원{n}")
    language = "en"  # see tests/conftest.py: tests read the interface in English
    password = factory.django.Password("pw-for-tests")


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    name = factory.Sequence(lambda n: f"Term {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=60))


class WeekFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Week

    term = factory.SubFactory(TermFactory)
    number = factory.Sequence(lambda n: n + 1)
    starts_at = factory.LazyFunction(
        lambda: datetime.combine(
            timezone.localdate() + timedelta(days=7), datetime.min.time(), SEOUL
        ).replace(hour=19)
    )
    review_deadline = factory.LazyAttribute(lambda o: o.starts_at - timedelta(hours=19, minutes=1))
    place = "온라인"


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    week = factory.SubFactory(WeekFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Paper title {n}")
    presenter = factory.SubFactory(UserFactory)


class ReviewerSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewerSlot

    topic = factory.SubFactory(TopicFactory)
    number = factory.Sequence(lambda n: n + 1)
    reviewer = None


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    slot = factory.SubFactory(ReviewerSlotFactory, reviewer=factory.SubFactory(UserFactory))
    author = factory.LazyAttribute(lambda o: o.slot.reviewer)
    status = Review.Status.DRAFT


class ReviewSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewSection

    review = factory.SubFactory(ReviewFactory)
    order = factory.Sequence(lambda n: n + 1)
    heading = "문제 정의"
    body = "본문"


class DigestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Digest

    content = factory.Sequence(lambda n: f"# digest {n}")
    content_hash = factory.Sequence(lambda n: f"{n:064x}")
    date = factory.LazyFunction(lambda: date(2025, 5, 26))
    status = Digest.Status.DONE


class CandidatePaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CandidatePaper

    arxiv_id = factory.Sequence(lambda n: f"2505.{10000 + n}")
    title = factory.Sequence(lambda n: f"Candidate paper {n}")
    last_digest_date = factory.LazyFunction(lambda: date(2025, 5, 26))


class PaperSummaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaperSummary

    paper = factory.SubFactory(CandidatePaperFactory)
    digest = factory.SubFactory(DigestFactory)
    sections = factory.LazyFunction(lambda: [{"heading": "요약", "body": "내용"}])
