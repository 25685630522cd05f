"""And back: a page edited in the repository is noticed, shown as a diff, and imported (or the
app's version kept); a page that no longer reads is refused with its reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from reviews.models import Review
from reviews.pages import export_week
from reviews.selectors import weeks_with_content
from seminar.integrations import publishing
from seminar.models import IncomingChange, PendingPublication, PublishedPage, Topic
from tests.seminar.integrations.conftest import PAGE_PATH, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(remote, connection, week, reviewer):
    slot = week.topics.get(order=1).slots.get(number=1)
    submit(slot, reviewer, text="원래 문장에 오타가 있읍니다.")
    publishing.note_week_changed(week_id=week.pk, reason="review submitted")
    assert publishing.publish_week(connection_id=connection.pk, week_id=week.pk).outcome == (
        "published"
    )
    return remote.read(PAGE_PATH)


def _check(connection):
    return publishing.check_repository(connection_id=connection.pk)


def test_an_unchanged_repository_has_nothing_to_review(published, connection):
    assert _check(connection) == []
    connection.refresh_from_db()
    assert connection.last_fetched_at is not None


def test_an_edit_in_the_repository_is_detected_shown_as_a_diff_and_imported(
    published, remote, connection, week, reviewer, organizer, organizer_client
):
    edited = published.replace("오타가 있읍니다", "오타가 있습니다").replace(
        "Spurious Rewards", "Spurious Rewards <script>alert(1)</script>"
    )
    remote.commit({PAGE_PATH: edited}, "Fix a typo in a review")

    [change] = _check(connection)
    assert (change.week, change.path, change.remote_text) == (week, PAGE_PATH, edited)
    assert _check(connection)[0].pk == change.pk  # checking again: still one change

    page = organizer_client.get(f"/integrations/changes/{change.pk}/").content.decode()
    assert '<span class="diff-del">-원래 문장에 오타가 있읍니다.</span>' in page
    assert '<span class="diff-add">+원래 문장에 오타가 있습니다.</span>' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page

    response = organizer_client.post(f"/integrations/changes/{change.pk}/", {"action": "import"})
    assert response.status_code == 302

    review = Review.objects.get(slot__topic__week=week, slot__number=1)
    first = review.sections.order_by("order").first()
    assert first.body == "원래 문장에 오타가 있습니다."
    assert "Rewards <script>alert(1)</script>:" in Topic.objects.get(week=week, order=1).title
    change.refresh_from_db()
    assert (change.status, change.resolved_by) == ("imported", organizer)
    # The repository's text is now what the app wrote: nothing diverges, nothing is owed.
    assert remote.read(PAGE_PATH) == export_week(weeks_with_content().get(pk=week.pk))
    assert not PendingPublication.objects.exists()
    assert _check(connection) == []


def test_a_page_that_no_longer_reads_is_reported_and_nothing_changes(
    published, remote, connection, week, organizer, organizer_client
):
    broken = published.replace("### 주제 1:", "a stray paragraph\n\n### 주제 1:").replace(
        "# 📚 - 3주차", "# 📚 - 3주차\n\nsomething the page cannot place"
    )
    remote.commit({PAGE_PATH: broken}, "Break the page")
    [change] = _check(connection)
    before = (
        list(Topic.objects.filter(week=week).values_list("title", "presenter_id")),
        list(Review.objects.values_list("pk", "status", "updated_at")),
    )

    with pytest.raises(ValidationError) as refused:
        publishing.import_incoming_change(change=change, actor=organizer)

    assert "something the page cannot place" in " ".join(refused.value.messages)
    after = (
        list(Topic.objects.filter(week=week).values_list("title", "presenter_id")),
        list(Review.objects.values_list("pk", "status", "updated_at")),
    )
    assert after == before
    change.refresh_from_db()
    assert change.status == "open" and "cannot place" in change.problem
    page = organizer_client.get(f"/integrations/changes/{change.pk}/").content.decode()
    assert "could not be imported; nothing was changed" in page


def test_a_page_that_would_delete_a_reviewed_topic_is_refused_whole(
    published, remote, connection, week, organizer
):
    # Renaming the topic would be applied before the deletion is found: all must roll back.
    without_topic = "# 📚 - 3주차\n"
    remote.commit({PAGE_PATH: without_topic}, "Empty the page")
    [change] = _check(connection)
    with pytest.raises(ValidationError):
        publishing.import_incoming_change(change=change, actor=organizer)
    assert Topic.objects.filter(week=week).count() == 1
    assert Review.objects.filter(slot__topic__week=week).count() == 1


def test_keeping_the_apps_version_publishes_it_over_the_edit(
    published, remote, connection, week, organizer_client
):
    remote.commit({PAGE_PATH: published + "\nA line added in the repository\n"}, "Add a line")
    [change] = _check(connection)

    organizer_client.post(f"/integrations/changes/{change.pk}/", {"action": "keep"})

    assert remote.read(PAGE_PATH) == published
    change.refresh_from_db()
    assert change.status == "kept"
    assert PublishedPage.objects.get(week=week).blob_sha != change.remote_blob_sha
    assert _check(connection) == []
    assert remote.log()[0]["message"].startswith("2025 가을 · week 3: the app's version kept")


def test_a_held_publication_goes_out_after_the_edit_is_imported(
    published, remote, connection, week, organizer
):
    edited = published.replace("좋은 논문.", "아주 좋은 논문.")
    remote.commit({PAGE_PATH: edited}, "Edit in the repository")
    week.topics.filter(order=1).update(title="Changed in the app meanwhile")
    publishing.note_week_changed(week_id=week.pk, reason="topics edited")
    assert publishing.publish_week(connection_id=connection.pk, week_id=week.pk).outcome == "held"
    change = IncomingChange.objects.get(status="open")

    for connection_id in publishing.import_incoming_change(change=change, actor=organizer):
        publishing.publish_week(connection_id=connection_id, week_id=week.pk)

    text = remote.read(PAGE_PATH)
    # The import took the repository's page as it stood (the title too): both edits meet in
    # one page only if the organizer re-applies the app's; the repository's text wins here.
    assert "아주 좋은 논문." in text
    assert not PendingPublication.objects.exists()


def test_an_edit_undone_in_the_repository_releases_the_held_publication(
    published, remote, connection, week
):
    remote.commit({PAGE_PATH: published + "oops\n"}, "An edit")
    publishing.note_week_changed(week_id=week.pk, reason="topics edited")
    assert publishing.publish_week(connection_id=connection.pk, week_id=week.pk).outcome == "held"
    remote.commit({PAGE_PATH: published}, "Undo the edit")

    assert _check(connection) == []

    assert IncomingChange.objects.get().status == "superseded"
    assert PendingPublication.objects.get().state == "pending"
    assert publishing.publish_week(connection_id=connection.pk, week_id=week.pk).outcome in (
        "published",
        "unchanged",
    )
