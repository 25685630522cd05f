"""Finding 15: double submits. Three parallel "add topic" POSTs made three identical topics;
two parallel invitation POSTs made two invitations and two emails.

Each form carries a one-time token (rendered into the page, recorded under a unique
constraint when the form is used): the same form sent again, however fast, changes nothing
and answers like the first. An address has at most one pending invitation (a partial unique
constraint), so two different forms inviting it at once still make one invitation and one email.

The parallel tests run real threads, each with its own connection, on PostgreSQL (SQLite
serializes every writer, so it cannot show a race).
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from seminar.models import Invitation, ReviewerSlot, Topic
from tests.factories import WeekFactory
from tests.support import postgres_only

# "Now" is fixed: the weeks and reviews below are placed relative to it.
pytestmark = pytest.mark.usefixtures("fixed_clock")


def _week():
    return WeekFactory(starts_at=timezone.now() + timedelta(days=7))


def _token_in(html: str, action: str) -> str | None:
    """The one-time token of the form posting to `action`, as a browser would send it."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.DOTALL)
    if form is None:
        return None
    match = re.search(r'name="form_token"[^>]*value="([^"]+)"', form[0])
    if match is None:
        match = re.search(r'value="([^"]+)"[^>]*name="form_token"', form[0])
    return match[1] if match else None


def _add_topic_token(client: Client, week) -> str:
    html = client.get(reverse("schedule")).content.decode()
    # Without a rendered token (the code before the fix) the browser sends none; a made-up
    # one is what the old code ignores, so the race below is the same race.
    return _token_in(html, reverse("schedule_add_topic", args=[week.pk])) or str(uuid.uuid4())


def _invitation_token(client: Client) -> str:
    html = client.get(reverse("invitations")).content.decode()
    match = re.search(r'name="form_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="form_token"', html
    )
    return match[1] if match else str(uuid.uuid4())


def in_parallel(count: int, work: Callable[[int], object]) -> list[object]:
    """Run `work(i)` in `count` threads released at the same instant, each on its own
    connection; the results in thread order."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, data: dict) -> str:
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


# --- the races (PostgreSQL) -------------------------------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_three_parallel_add_topic_posts_of_one_form_make_one_topic(organizer):
    week = _week()
    clients = [_logged_in(organizer) for _ in range(3)]  # signed in before the race starts
    token = _add_topic_token(clients[0], week)
    url = reverse("schedule_add_topic", args=[week.pk])
    data = {"title": "Spurious Rewards", "paper": "", "slot_count": 2, "form_token": token}

    locations = in_parallel(3, lambda i: _post(clients[i], url, data))

    (topic,) = Topic.objects.filter(week=week)
    assert ReviewerSlot.objects.filter(topic=topic).count() == 2
    assert set(locations) == {reverse("schedule") + f"#topic-{topic.pk}"}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_parallel_invitation_posts_of_one_form_make_one_invitation_and_one_email(
    organizer, mailoutbox
):
    clients = [_logged_in(organizer) for _ in range(2)]
    data = {"emails": "newcomer@example.org", "form_token": _invitation_token(clients[0])}

    in_parallel(2, lambda i: _post(clients[i], reverse("invitations"), data))

    assert Invitation.objects.filter(email="newcomer@example.org").count() == 1
    assert [m.to for m in mailoutbox] == [["newcomer@example.org"]]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_invitation_forms_sent_at_once_for_one_address_make_one_invitation(
    organizer, mailoutbox
):
    """Two organizers (two forms, two tokens) inviting the same person at the same moment."""

    clients = [_logged_in(organizer) for _ in range(2)]
    forms = [{"emails": "Same@Example.org", "form_token": _invitation_token(c)} for c in clients]
    assert forms[0]["form_token"] != forms[1]["form_token"]

    in_parallel(2, lambda i: _post(clients[i], reverse("invitations"), forms[i]))

    assert Invitation.objects.filter(email="same@example.org").count() == 1
    assert len(mailoutbox) == 1


# --- the same rules, one request after the other (any database) ---------------------------


@pytest.mark.django_db
def test_board_renders_a_different_one_time_token_in_every_add_topic_form(organizer_client):
    first, second = _week(), _week()
    html = organizer_client.get(reverse("schedule")).content.decode()
    tokens = [
        _token_in(html, reverse("schedule_add_topic", args=[week.pk])) for week in (first, second)
    ]
    assert None not in tokens
    assert len(set(tokens)) == 2
    assert all(uuid.UUID(token) for token in tokens)


@pytest.mark.django_db
def test_add_topic_form_sent_twice_makes_one_topic_and_answers_like_the_first(
    organizer_client,
):
    week = _week()
    token = _add_topic_token(organizer_client, week)
    url = reverse("schedule_add_topic", args=[week.pk])
    data = {"title": "Absolute Zero", "paper": "", "slot_count": 1, "form_token": token}

    first = organizer_client.post(url, data)
    second = organizer_client.post(url, data)

    (topic,) = Topic.objects.filter(week=week)
    assert first["Location"] == second["Location"] == reverse("schedule") + f"#topic-{topic.pk}"


@pytest.mark.django_db
def test_add_topic_form_refused_by_validation_can_be_corrected_and_sent_again(organizer_client):
    week = _week()
    token = _add_topic_token(organizer_client, week)
    url = reverse("schedule_add_topic", args=[week.pk])

    refused = organizer_client.post(url, {"title": "", "slot_count": 1, "form_token": token})
    assert refused.status_code == 200
    assert token in refused.content.decode()  # the re-rendered form keeps its token
    organizer_client.post(url, {"title": "Fixed", "slot_count": 1, "form_token": token})

    assert list(Topic.objects.filter(week=week).values_list("title", flat=True)) == ["Fixed"]


@pytest.mark.django_db
def test_invitation_form_sent_twice_makes_one_invitation_and_one_email(
    organizer_client, mailoutbox
):
    data = {
        "emails": "a@example.org b@example.org",
        "form_token": _invitation_token(organizer_client),
    }
    first = organizer_client.post(reverse("invitations"), data)
    second = organizer_client.post(reverse("invitations"), data)

    assert first.status_code == second.status_code == 302
    assert Invitation.objects.count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.org", "b@example.org"]


@pytest.mark.django_db
def test_one_form_token_serves_one_kind_of_form(organizer_client, mailoutbox):
    """A token already spent on a topic does not send invitations (nor the reverse)."""
    week = _week()
    token = _add_topic_token(organizer_client, week)
    organizer_client.post(
        reverse("schedule_add_topic", args=[week.pk]),
        {"title": "T", "slot_count": 1, "form_token": token},
    )
    organizer_client.post(reverse("invitations"), {"emails": "x@example.org", "form_token": token})
    assert not Invitation.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_an_address_has_at_most_one_pending_invitation(organizer):
    Invitation.objects.create(email="one@example.org", invited_by=organizer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(email="ONE@example.org", invited_by=organizer)
    accepted = Invitation.objects.get()
    accepted.accepted_at = timezone.now()
    accepted.save()
    Invitation.objects.create(email="one@example.org", invited_by=organizer)  # allowed again


@pytest.mark.django_db
def test_inviting_an_address_whose_invitation_is_pending_sends_nothing_new(
    organizer_client, mailoutbox
):
    organizer_client.post(reverse("invitations"), {"emails": "p@example.org"})
    response = organizer_client.post(
        reverse("invitations"), {"emails": "p@example.org"}, follow=True
    )
    assert Invitation.objects.filter(email="p@example.org").count() == 1
    assert len(mailoutbox) == 1
    assert "Not invited again" in response.content.decode()  # told why nothing was sent


@pytest.mark.django_db
def test_inviting_again_after_expiry_renews_the_invitation_with_a_new_link(
    organizer, organizer_client, mailoutbox
):
    with time_machine.travel(datetime(2026, 1, 5, tzinfo=UTC), tick=False):
        old = Invitation.objects.create(email="late@example.org", invited_by=organizer)
    with time_machine.travel(datetime(2026, 3, 5, tzinfo=UTC), tick=False):
        organizer_client.post(reverse("invitations"), {"emails": "late@example.org"})
        (renewed,) = Invitation.objects.filter(email="late@example.org")
        assert renewed.is_pending

    assert renewed.token != old.token
    assert renewed.get_absolute_url() in mailoutbox[0].body
