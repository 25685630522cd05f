"""Two members claiming one slot at the same moment: the database lets exactly one through.

Real concurrent requests, each thread with its own database connection, on PostgreSQL (SQLite
serializes every writer, so it could not show a race).
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from reviews import services
from seminar.models import AssignmentChange, ReviewerSlot
from tests.factories import ReviewerSlotFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL's row locks and concurrent connections",
    ),
]


def _claim_in_thread(user, slot_id, results, start: threading.Barrier | threading.Event) -> None:
    try:
        client = Client()
        client.force_login(user)
        start.wait(timeout=10)
        response = client.post(reverse("slot_claim", args=[slot_id]))
        results[user.pk] = (
            response["Location"],
            [str(m) for m in get_messages(response.wsgi_request)],
        )
    finally:
        connection.close()


def _race(users, slot_ids) -> dict:
    """Each user posts a claim from their own thread, all at once; results by user id."""
    results: dict = {}
    barrier = threading.Barrier(len(users))
    threads = [
        threading.Thread(target=_claim_in_thread, args=(user, slot_id, results, barrier))
        for user, slot_id in zip(users, slot_ids, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == len(users)
    return results


def test_simultaneous_claims_of_one_slot_let_exactly_one_member_win():
    for _ in range(5):  # a few rounds: each is a fresh race
        slot = ReviewerSlotFactory()
        members = UserFactory.create_batch(4)
        results = _race(members, [slot.pk] * 4)
        slot.refresh_from_db()
        assert slot.reviewer in members
        editor = reverse("review_edit", args=[slot.pk])
        winners = [pk for pk, (location, _) in results.items() if location == editor]
        assert winners == [slot.reviewer.pk]
        for pk, (location, texts) in results.items():
            if pk != slot.reviewer.pk:
                assert location != editor
                assert len(texts) == 1
                assert slot.reviewer.display_name in texts[0]  # told plainly who has it
        assert AssignmentChange.objects.filter(topic=slot.topic, assigned=True).count() == 1


def test_a_claim_waits_for_a_competing_uncommitted_claim_and_then_loses(member, other_member):
    """The guarantee is the database's, not luck: a claim that read the slot as open while
    another claim was still uncommitted must not overwrite it."""
    slot = ReviewerSlotFactory()
    first_claimed, finish_first = threading.Event(), threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                services.claim_slot(slot=slot, member=member, actor=member)
                first_claimed.set()
                finish_first.wait(timeout=10)
        finally:
            connection.close()

    results: dict = {}
    holder = threading.Thread(target=first)
    holder.start()
    assert first_claimed.wait(timeout=10)
    go = threading.Event()
    second = threading.Thread(target=_claim_in_thread, args=(other_member, slot.pk, results, go))
    second.start()
    go.set()
    second.join(timeout=1.0)
    assert second.is_alive()  # blocked on the first claim's row lock
    finish_first.set()
    holder.join(timeout=10)
    second.join(timeout=10)

    slot.refresh_from_db()
    assert slot.reviewer == member
    location, texts = results[other_member.pk]
    assert location != reverse("review_edit", args=[slot.pk])
    # It read the slot as open, passed every check, then lost at the conditional UPDATE.
    assert texts == [f"Sorry, {member.display_name} took this slot just before you."]
    assert list(AssignmentChange.objects.values_list("member", flat=True)) == [member.pk]


def test_one_member_claiming_two_slots_of_a_topic_at_once_gets_one(member):
    first = ReviewerSlotFactory(number=1)
    second = ReviewerSlotFactory(topic=first.topic, number=2)
    results: dict = {}
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(target=_claim_in_thread, args=(member, slot_id, results, barrier))
        for slot_id in (first.pk, second.pk)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # Whichever check stops the second (the early one or the unique constraint): one slot.
    assert ReviewerSlot.objects.filter(topic=first.topic, reviewer=member).count() == 1
    assert AssignmentChange.objects.filter(member=member).count() == 1
