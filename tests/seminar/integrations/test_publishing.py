"""Publishing week pages to a real (local, bare) git repository."""

from __future__ import annotations

import stat

import pytest

from reviews.pages import export_week
from reviews.selectors import weeks_with_content
from seminar.integrations import publishing
from seminar.models import IncomingChange, PendingPublication, PublishedPage, RepositoryConnection
from seminar.models.integrations import INDEX_END, INDEX_START
from tests.seminar.integrations.conftest import PAGE_PATH, README, commit_fixtures, submit

pytestmark = pytest.mark.django_db


def _publish(connection, week):
    return publishing.publish_week(connection_id=connection.pk, week_id=week.pk)


def test_publishing_a_week_writes_its_page_byte_equal_to_export_week_and_the_index(
    remote, connection, week, reviewer
):
    slot = week.topics.get(order=1).slots.get(number=1)
    submit(slot, reviewer)
    assert publishing.note_week_changed(
        week_id=week.pk, reason="review by 박민경 submitted", member_id=reviewer.pk
    ) == [connection.pk]

    result = _publish(connection, week)

    assert result.outcome == "published"
    expected = export_week(weeks_with_content().get(pk=week.pk))
    assert remote.read(PAGE_PATH) == expected
    assert "1. 문제의식\n\n본문입니다." in expected
    index = remote.read("README.md")
    assert index.startswith(README.rstrip("\n"))  # the group's own text is kept
    table = index.split(INDEX_START)[1].split(INDEX_END)[0]
    assert "[2025 가을 · week 3](weeks/2025-가을/03.md)" in table
    assert "| 2025-09-18 |" in table and "Spurious Rewards" in table and "| 1/2 |" in table
    # The row is gone once pushed; what was pushed is remembered for the way back.
    assert not PendingPublication.objects.exists()
    page = PublishedPage.objects.get(connection=connection, week=week)
    assert (page.path, page.text, page.commit_sha) == (PAGE_PATH, expected, remote.head())


def test_one_commit_per_change_authored_as_the_app_with_the_member_as_co_author(
    remote, connection, week, reviewer
):
    publishing.note_week_changed(
        week_id=week.pk, reason="review by 박민경 submitted", member_id=reviewer.pk
    )
    _publish(connection, week)
    publishing.note_week_changed(week_id=week.pk, reason="topics edited")
    week.topics.filter(order=1).update(title="A better title")
    _publish(connection, week)

    log = remote.log()
    assert len(log) == 3  # the member's first commit, then one per change
    first, second = log[1], log[0]
    assert (first["author"], first["email"]) == ("Seminar", "seminar@users.noreply.seminar.invalid")
    assert first["message"].splitlines()[0] == "2025 가을 · week 3: review by 박민경 submitted"
    assert (
        f"Co-authored-by: 박민경 <member-{reviewer.pk}@users.noreply.seminar.invalid>"
        in first["message"]
    )
    assert second["message"] == "2025 가을 · week 3: topics edited"
    assert "A better title" in remote.read(PAGE_PATH)


def test_member_email_is_used_only_when_the_connection_says_so(remote, connection, week, reviewer):
    connection.co_authors = RepositoryConnection.CoAuthors.EMAIL
    connection.save()
    publishing.note_week_changed(week_id=week.pk, reason="x", member_id=reviewer.pk)
    _publish(connection, week)
    assert "Co-authored-by: 박민경 <minkyung@example.com>" in remote.log()[0]["message"]


def test_a_push_rejected_because_the_remote_moved_is_redone_on_the_new_head(
    remote, connection, week
):
    """A member pushes while the app is pushing: the remote's pre-receive hook pushes a
    member's commit from another clone first, so the app's push finds the branch moved."""
    marker = remote.root / "raced"
    hook = remote.bare / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        f'[ -e "{marker}" ] && exit 0\n'
        f'touch "{marker}"\n'
        f'env -i PATH="$PATH" HOME="{remote.home}" GIT_AUTHOR_NAME=M GIT_AUTHOR_EMAIL=m@x '
        f"GIT_COMMITTER_NAME=M GIT_COMMITTER_EMAIL=m@x sh -c '"
        f'cd "{remote.clone}" && echo typo-fix > notes.md && git add notes.md && '
        f'git commit -qm "A member commit" && git push -q origin HEAD:main\' >/dev/null 2>&1\n'
        "exit 0\n",
        encoding="utf-8",
    )
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    publishing.note_week_changed(week_id=week.pk, reason="topics edited")

    result = _publish(connection, week)

    assert marker.exists()  # the race really happened
    assert result.outcome == "published" and result.attempts == 2
    # Both survive: the member's commit, and the app's redone on top of it.
    assert remote.read("notes.md") == "typo-fix\n"
    assert remote.read(PAGE_PATH) == export_week(weeks_with_content().get(pk=week.pk))
    messages = [entry["message"].splitlines()[0] for entry in remote.log()]
    assert messages[:2] == ["2025 가을 · week 3: topics edited", "A member commit"]
    assert not PendingPublication.objects.exists()


def test_an_unreachable_repository_keeps_the_change_and_shows_the_error(
    remote, connection, week, organizer_client
):
    connection.url = str(remote.root / "gone.git")
    connection.save()
    publishing.note_week_changed(week_id=week.pk, reason="topics edited")

    result = _publish(connection, week)

    assert result.outcome == "failed" and result.retry_in == 60
    pending = PendingPublication.objects.get()
    assert pending.attempts == 1 and "gone.git" in pending.last_error
    assert pending.next_attempt_at > pending.created_at
    connection.refresh_from_db()
    assert connection.last_error
    # The next failure waits longer (backoff), and the change is still owed.
    assert _publish(connection, week).retry_in == 120
    page = organizer_client.get("/integrations/").content.decode()
    assert "could not be reached" in page and "topics edited" in page

    connection.url = remote.url  # back: the owed change goes out
    connection.save()
    assert _publish(connection, week).outcome == "published"
    assert remote.read(PAGE_PATH) is not None
    assert not PendingPublication.objects.exists()


def test_nothing_to_commit_when_the_repository_already_has_the_page(remote, connection, week):
    publishing.note_week_changed(week_id=week.pk, reason="a")
    _publish(connection, week)
    before = remote.head()
    publishing.note_week_changed(week_id=week.pk, reason="b")
    assert _publish(connection, week).outcome == "unchanged"
    assert remote.head() == before
    assert not PendingPublication.objects.exists()


def test_a_page_edited_in_the_repository_is_never_overwritten_by_a_publication(
    remote, connection, week
):
    publishing.note_week_changed(week_id=week.pk, reason="a")
    _publish(connection, week)
    edited = remote.read(PAGE_PATH).replace("Spurious Rewards", "Spurious Rewards (typo fixed)")
    remote.commit({PAGE_PATH: edited}, "Fix a typo")
    publishing.note_week_changed(week_id=week.pk, reason="topics edited")

    assert _publish(connection, week).outcome == "held"

    assert remote.read(PAGE_PATH) == edited
    assert PendingPublication.objects.get().state == PendingPublication.State.HELD
    change = IncomingChange.objects.get()
    assert change.remote_text == edited and change.status == "open"


def test_a_submitted_review_reaches_the_repository_through_the_signal(
    remote, connection, week, reviewer, django_capture_on_commit_callbacks
):
    slot = week.topics.get(order=1).slots.get(number=1)
    commit_fixtures()  # the week is published as it is
    assert "본문입니다." not in remote.read(PAGE_PATH)
    with django_capture_on_commit_callbacks(execute=True):
        submit(slot, reviewer)
    assert "본문입니다." in remote.read(PAGE_PATH)
    assert remote.log()[0]["message"].startswith("2025 가을 · week 3: review by 박민경 submitted")


def test_editing_topics_reaches_the_repository_through_the_model_signals(
    remote, connection, week, django_capture_on_commit_callbacks
):
    topic = week.topics.get(order=1)
    commit_fixtures()
    with django_capture_on_commit_callbacks(execute=True):
        topic.title = "Renamed on the board"
        topic.save()
        topic.slots.create(number=3)
    assert "### 리뷰 3" in remote.read(PAGE_PATH)
    assert "Renamed on the board" in remote.read(PAGE_PATH)
    log = remote.log()
    assert len(log) == 3  # the member's, the fixtures', then one for this transaction
    assert log[0]["message"] == "2025 가을 · week 3: topics edited"
