"""The data version (seminar/versions.py): database triggers replace the token with every
write the pages show, in the writing transaction, on PostgreSQL and on SQLite alike."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from reviews.models import Review, ReviewSection
from seminar import versions
from seminar.models import ReviewerSlot, Term, Topic, Week
from tests.factories import ReviewerSlotFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def token() -> str:
    return versions.current().token


def test_every_tracked_table_has_its_trigger():
    assert versions.tracked_tables(), "no table found to track"
    assert "seminar_week" in versions.tracked_tables()
    assert "reviews_reviewsection" in versions.tracked_tables()
    assert "papers_candidatepaper" in versions.tracked_tables()
    assert "seminar_dataversion" not in versions.tracked_tables()
    assert versions.untriggered_tables() == []


def test_a_save_an_update_and_a_delete_each_bump_it():
    topic = TopicFactory()
    first = token()
    Week.objects.filter(pk=topic.week_id).update(place="Room 301")  # no signal sent
    second = token()
    assert second != first
    Topic.objects.filter(pk=topic.pk).delete()
    third = token()
    assert third not in (first, second)
    Term.objects.create(name="Bulk", starts_on=topic.week.term.starts_on)
    assert token() != third


def test_reading_twice_without_a_write_gives_the_same_token():
    TopicFactory()
    assert token() == token()


def test_raw_sql_bumps_it_too():
    topic = TopicFactory()
    before = token()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE seminar_topic SET title = %s WHERE id = %s", ["Raw", topic.pk])
    assert token() != before


def test_a_draft_being_written_does_not_bump_it_but_its_birth_and_submission_do():
    slot = ReviewerSlotFactory(reviewer=UserFactory())
    before = token()
    review = Review.objects.create(slot=slot, author=slot.reviewer)  # a new draft: the board
    created = token()
    assert created != before
    ReviewSection.objects.create(review=review, order=1, heading="1. 문제", body="draft")
    Review.objects.filter(pk=review.pk).update(is_late=False)  # an autosave touches the row
    ReviewSection.objects.filter(review=review).update(body="more draft text")
    assert token() == created
    review.status = Review.Status.SUBMITTED
    review.submitted_at = slot.topic.week.review_deadline
    review.save()
    submitted = token()
    assert submitted != created
    ReviewSection.objects.filter(review=review).update(body="edited after submitting")
    assert token() != submitted


def test_a_rolled_back_write_leaves_the_token_as_it_was():
    TopicFactory()
    before = token()
    with pytest.raises(RuntimeError), transaction.atomic():
        ReviewerSlot.objects.all().update(number=1)
        raise RuntimeError
    assert token() == before


def test_cached_builds_once_per_version_and_again_after_a_write():
    topic = TopicFactory(title="First title")
    calls = []

    def build():
        calls.append(1)
        return Topic.objects.get(pk=topic.pk).title

    assert versions.cached("test-title", topic.pk, build=build) == "First title"
    assert versions.cached("test-title", topic.pk, build=build) == "First title"
    assert len(calls) == 1
    Topic.objects.filter(pk=topic.pk).update(title="Second title")
    assert versions.cached("test-title", topic.pk, build=build) == "Second title"
    assert len(calls) == 2


def test_cached_keys_differ_by_language_and_parts():
    from django.utils import translation

    v = versions.current()
    with translation.override("ko"):
        ko = versions.fragment_key("x", v, 1)
    with translation.override("en"):
        en = versions.fragment_key("x", v, 1)
        other = versions.fragment_key("x", v, 2)
    assert len({ko, en, other}) == 3


def test_cached_works_with_the_cache_down(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    try:
        topic = TopicFactory(title="Uncached")
        assert versions.cached("t", build=lambda: Topic.objects.get(pk=topic.pk).title) == (
            "Uncached"
        )
        Topic.objects.filter(pk=topic.pk).update(title="Still right")
        assert versions.cached("t", build=lambda: Topic.objects.get(pk=topic.pk).title) == (
            "Still right"
        )
    finally:
        cache.clear()


def test_cached_html_gives_each_visitor_their_own_csrf_token(settings, rf):
    from django.contrib.auth.models import AnonymousUser
    from django.middleware.csrf import _unmask_cipher_token

    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {"form.html": "<form>{% csrf_token %}{{ title }}</form>"},
                    )
                ],
                "context_processors": ["django.template.context_processors.csrf"],
            },
        }
    ]
    cache.clear()
    TopicFactory(title="Shared")
    builds = []

    def context():
        builds.append(1)
        return {"title": Topic.objects.get().title}

    def visit(secret: str) -> str:
        request = rf.get("/")
        request.user = AnonymousUser()
        request.META["CSRF_COOKIE"] = secret
        return versions.cached_html(request, "form", template="form.html", context=context)

    first_secret, second_secret = "a" * 32, "b" * 32
    first, second = visit(first_secret), visit(second_secret)
    assert len(builds) == 1  # the second visitor got the cached HTML
    assert versions.CSRF_MARKER not in first + second
    assert "Shared" in first and "Shared" in second

    def token(html: str) -> str:
        return html.split('value="', 1)[1].split('"', 1)[0]

    assert _unmask_cipher_token(token(first)) == first_secret
    assert _unmask_cipher_token(token(second)) == second_secret


@pytest.mark.django_db(transaction=True)
def test_two_writers_crossing_rows_do_not_deadlock_on_the_version():
    """T1 writes topic A then B; T2 writes B in between. With the token's row taken at each
    write, T2 would hold B and wait for the token T1 holds, and T1 wait for B: a deadlock.
    Taken at commit, T1 simply waits for T2 to finish."""
    import threading
    import time

    from django.db import close_old_connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks and deferred triggers are PostgreSQL's")
    first, second = TopicFactory(title="A"), TopicFactory(title="B")
    start = versions.current().token
    a_written, b_written = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def one():
        try:
            with transaction.atomic():
                Topic.objects.filter(pk=first.pk).update(title="A by one")
                a_written.set()
                assert b_written.wait(10)
                Topic.objects.filter(pk=second.pk).update(title="B by one")  # waits for two
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()

    def two():
        try:
            assert a_written.wait(10)
            with transaction.atomic():
                Topic.objects.filter(pk=second.pk).update(title="B by two")
                b_written.set()
                time.sleep(0.3)  # one is now waiting for this row
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=one), threading.Thread(target=two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert Topic.objects.get(pk=second.pk).title == "B by one"
    assert versions.current().token != start
