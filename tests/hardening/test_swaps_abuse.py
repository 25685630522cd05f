"""Swaps and invitations abused (#13): requests a page would never send, sent by hand.

Taking an offer that is not open, approving as a member, offering someone else's slot,
withdrawing someone else's offer, taking one's own, a stale offer, a `next` to another site,
and the invitation controls from a member's session. Every refusal leaves the data as it was.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from seminar.models import AssignmentChange, Invitation, SlotOffer
from seminar.scheduling import swaps
from tests.conftest import FIXED_INSTANT
from tests.factories import ReviewerSlotFactory, TopicFactory, UserFactory, WeekFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_clock")]


@pytest.fixture
def world(member, other_member):
    starts = FIXED_INSTANT + timedelta(days=7)
    week = WeekFactory(starts_at=starts, review_deadline=starts - timedelta(hours=20))
    speaker = UserFactory(name="speaker")
    topic = TopicFactory(week=week, order=1, presenter=speaker, title="Target")
    slot = ReviewerSlotFactory(topic=topic, number=1, reviewer=member)
    offer = swaps.offer_role(member=member, topic=topic, slot=slot)
    return {"slot": slot, "topic": topic, "offer": offer, "speaker": speaker}


def as_user(client, user):
    client.force_login(user)
    return client


def assert_untouched(world, holder):
    world["slot"].refresh_from_db()
    assert world["slot"].reviewer == holder
    assert not AssignmentChange.objects.exists()


@pytest.mark.parametrize("status", ["withdrawn", "taken", "declined", "pending"])
def test_taking_an_offer_that_is_not_open_changes_nothing(
    client, world, member, other_member, status
):
    SlotOffer.objects.filter(pk=world["offer"].pk).update(status=status)
    response = as_user(client, other_member).post(
        reverse("swap_take", args=[world["offer"].pk]), follow=True
    )
    assert "This offer is no longer open." in response.content.decode()
    assert_untouched(world, member)


def test_a_member_cannot_approve_or_decline(client, world, member, other_member):
    SlotOffer.objects.filter(pk=world["offer"].pk).update(status="pending", taker=other_member)
    as_user(client, other_member)
    for name in ("swap_approve", "swap_decline"):
        assert client.post(reverse(name, args=[world["offer"].pk])).status_code == 403
    offer = SlotOffer.objects.get(pk=world["offer"].pk)
    assert (offer.status, offer.decided_by) == ("pending", None)
    assert_untouched(world, member)


def test_approving_an_open_offer_does_nothing(client, world, member, organizer):
    response = as_user(client, organizer).post(
        reverse("swap_approve", args=[world["offer"].pk]), follow=True
    )
    assert "Only a pending taking can be approved." in response.content.decode()
    assert SlotOffer.objects.get(pk=world["offer"].pk).status == "open"
    assert_untouched(world, member)


def test_offering_someone_elses_slot_or_talk_is_forbidden(client, world, other_member):
    SlotOffer.objects.all().delete()
    as_user(client, other_member)
    assert client.post(reverse("swap_offer_slot", args=[world["slot"].pk])).status_code == 403
    assert client.post(reverse("swap_offer_presenter", args=[world["topic"].pk])).status_code == 403
    assert not SlotOffer.objects.exists()


def test_an_organizer_cannot_offer_a_members_slot_either(client, world, organizer):
    SlotOffer.objects.all().delete()
    as_user(client, organizer)
    assert client.post(reverse("swap_offer_slot", args=[world["slot"].pk])).status_code == 403
    assert not SlotOffer.objects.exists()


def test_withdrawing_someone_elses_offer_is_forbidden(client, world, other_member):
    as_user(client, other_member)
    assert client.post(reverse("swap_withdraw", args=[world["offer"].pk])).status_code == 403
    assert SlotOffer.objects.get(pk=world["offer"].pk).status == "open"


def test_taking_ones_own_offer_is_forbidden(client, world, member):
    assert (
        as_user(client, member).post(reverse("swap_take", args=[world["offer"].pk])).status_code
        == 403
    )
    assert SlotOffer.objects.get(pk=world["offer"].pk).status == "open"
    assert_untouched(world, member)


def test_an_offer_id_that_does_not_exist_is_404(client, other_member):
    as_user(client, other_member)
    for name in ("swap_take", "swap_withdraw"):
        assert client.post(reverse(name, args=[999999])).status_code == 404


def test_a_stale_offer_cannot_be_taken_after_the_holder_released(client, world, other_member):
    from reviews import services as review_services

    review_services.release_slot(slot=world["slot"], member=world["slot"].reviewer)
    AssignmentChange.objects.all().delete()
    response = as_user(client, other_member).post(
        reverse("swap_take", args=[world["offer"].pk]), follow=True
    )
    assert "out of date" in response.content.decode()
    world["slot"].refresh_from_db()
    assert world["slot"].reviewer is None  # not handed to the taker through the old offer


def test_swap_views_do_not_redirect_off_site(client, world, other_member):
    response = as_user(client, other_member).post(
        reverse("swap_take", args=[world["offer"].pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("swaps")


def test_anonymous_requests_are_sent_to_sign_in_and_change_nothing(client, world, member):
    for name, pk in (
        ("swap_take", world["offer"].pk),
        ("swap_withdraw", world["offer"].pk),
        ("swap_offer_slot", world["slot"].pk),
    ):
        response = client.post(reverse(name, args=[pk]))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert SlotOffer.objects.get(pk=world["offer"].pk).status == "open"
    assert_untouched(world, member)


def test_a_member_cannot_resend_or_revoke_invitations(client, member, organizer, mailoutbox):
    invitation = Invitation.objects.create(email="x@example.org", invited_by=organizer)
    token = invitation.token
    as_user(client, member)
    for name in ("invitation_resend", "invitation_revoke"):
        assert client.post(reverse(name, args=[invitation.pk])).status_code == 403
    invitation.refresh_from_db()
    assert (invitation.token, invitation.revoked_at) == (token, None)
    assert mailoutbox == []


def test_an_accepted_invitation_cannot_be_resent_or_revoked(organizer_client, organizer):
    invitation = Invitation.objects.create(
        email="done@example.org", invited_by=organizer, accepted_at=FIXED_INSTANT
    )
    for name in ("invitation_resend", "invitation_revoke"):
        assert organizer_client.post(reverse(name, args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
