"""Invitations: each rejected address named with its reason while the others go out, members
listed by name, resend (a new link, rate limited) and revoke (the link stops working), and the
sign-up page saying who invited the person to which group."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.urls import reverse

from seminar import services
from seminar.adapters import INVITATION_SESSION_KEY
from seminar.models import Invitation, User
from tests.conftest import FIXED_INSTANT
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_clock")]


def test_sort_addresses_names_bad_and_repeated_items():
    valid, rejected = services.sort_addresses(
        ["a@example.org", "not-an-address", "A@example.org", "b@example", "c@example.org"]
    )
    assert valid == ["a@example.org", "c@example.org"]
    assert [(r.address, r.reason) for r in rejected] == [
        ("not-an-address", "syntax"),
        ("a@example.org", "duplicate"),
        ("b@example", "syntax"),
    ]


def test_split_addresses_reads_commas_semicolons_and_angle_brackets():
    assert services.split_addresses("Kim <k@example.org>; l@example.org,\nm@example.org") == [
        "Kim",
        "k@example.org",
        "l@example.org",
        "m@example.org",
    ]


def test_one_bad_address_does_not_stop_the_others(organizer, mailoutbox):
    UserFactory(email="member@example.org", name="박민경")
    services.invite_members(emails=["pending@example.org"], invited_by=organizer)
    mailoutbox.clear()
    batch = services.invite_members(
        emails=[
            "new@example.org",
            "oops@",
            "new@example.org",
            "pending@example.org",
            "MEMBER@example.org",
        ],
        invited_by=organizer,
    )
    assert [i.email for i in batch.created] == ["new@example.org"]
    assert batch.rejected_for("syntax") == ["oops@"]
    assert batch.rejected_for("duplicate") == ["new@example.org"]
    assert batch.rejected_for("invited") == ["pending@example.org"]
    assert [m.name for m in batch.members] == ["박민경"]


def test_the_page_names_every_address_and_why(organizer_client, mailoutbox):
    UserFactory(email="member@example.org", name="박민경")
    organizer_client.post(reverse("invitations"), {"emails": "pending@example.org"})
    mailoutbox.clear()
    response = organizer_client.post(
        reverse("invitations"),
        {"emails": "new@example.org, oops@ new@example.org pending@example.org member@example.org"},
        follow=True,
    )
    html = response.content.decode()
    assert [m.to for m in mailoutbox] == [["new@example.org"]]
    assert "1 invitation sent: new@example.org" in html
    assert "Not sent, not an email address: oops@" in html
    assert "Listed more than once (invited once): new@example.org" in html
    assert "an invitation is already waiting (resend it below): pending@example.org" in html
    assert "Already members, not invited: 박민경 &lt;member@example.org&gt;" in html


def test_resend_draws_a_new_link_and_is_rate_limited(organizer, organizer_client, mailoutbox):
    batch = services.invite_members(emails=["late@example.org"], invited_by=organizer)
    invitation = batch.created[0]
    old_token = invitation.token
    url = reverse("invitation_resend", args=[invitation.pk])
    too_soon = organizer_client.post(url, follow=True)
    assert "resend it in 10 min" in too_soon.content.decode()
    invitation.refresh_from_db()
    assert invitation.token == old_token
    with time_machine.travel(FIXED_INSTANT + timedelta(minutes=11), tick=False):
        organizer_client.post(url)
    invitation.refresh_from_db()
    assert invitation.token != old_token
    assert invitation.sent_count == 2
    assert invitation.get_absolute_url() in mailoutbox[-1].body
    # The old link no longer opens sign-up.
    response = organizer_client.get(reverse("accept_invitation", args=[old_token]))
    assert response.status_code == 404


def test_resend_stops_after_the_most_emails(organizer, settings):
    settings.SEMINAR_INVITATION_MAX_SENDS = 2
    invitation = Invitation.objects.create(email="x@example.org", invited_by=organizer)
    later = FIXED_INSTANT + timedelta(hours=1)
    services.resend_invitation(invitation=invitation, actor=organizer, now=later)
    with pytest.raises(ValidationError) as refused:
        services.resend_invitation(
            invitation=invitation, actor=organizer, now=later + timedelta(hours=1)
        )
    assert refused.value.code == "too_many"


def test_revoke_makes_the_link_stop_working(organizer_client, organizer, client):
    invitation = Invitation.objects.create(email="gone@example.org", invited_by=organizer)
    link = invitation.get_absolute_url()
    organizer_client.post(reverse("invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert not invitation.is_pending
    assert not services.has_pending_invitation("gone@example.org")
    organizer_client.logout()
    response = client.get(link, follow=True)
    assert "This invitation was withdrawn by the organizers." in response.content.decode()
    assert INVITATION_SESSION_KEY not in client.session
    signup = client.get(reverse("account_signup"))
    assert "gone@example.org" not in signup.content.decode()


def test_a_browser_that_opened_the_link_before_the_revoke_cannot_sign_up(organizer, client):
    invitation = Invitation.objects.create(email="gone@example.org", invited_by=organizer)
    client.get(invitation.get_absolute_url())
    services.revoke_invitation(invitation=invitation)
    client.post(
        reverse("account_signup"),
        {
            "email": "gone@example.org",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
            "name": "늦은이",
            "language": "ko",
        },
    )
    assert not User.objects.filter(email="gone@example.org").exists()


def test_a_revoked_address_can_be_invited_again_with_a_new_link(organizer, mailoutbox):
    invitation = Invitation.objects.create(email="again@example.org", invited_by=organizer)
    services.revoke_invitation(invitation=invitation)
    batch = services.invite_members(emails=["again@example.org"], invited_by=organizer)
    (renewed,) = batch.created
    assert renewed.pk == invitation.pk
    assert renewed.is_pending
    assert renewed.token != invitation.token


def test_the_signup_page_says_who_invited_to_which_group(organizer, client):
    Site.objects.update_or_create(pk=1, defaults={"domain": "testserver", "name": "ML 논문 읽기"})
    invitation = Invitation.objects.create(email="new@example.org", invited_by=organizer)
    response = client.get(invitation.get_absolute_url(), follow=True)
    html = response.content.decode()
    assert "data-invitation-notice" in html
    assert "<strong>운영자</strong> invited you to join <strong>ML 논문 읽기</strong>" in html
    assert "The invitation is for new@example.org" in html


def test_the_invitations_page_lists_resend_and_revoke_for_pending_ones(organizer_client, organizer):
    pending = Invitation.objects.create(email="p@example.org", invited_by=organizer)
    revoked = Invitation.objects.create(email="r@example.org", invited_by=organizer)
    services.revoke_invitation(invitation=revoked)
    html = organizer_client.get(reverse("invitations")).content.decode()
    assert f'data-revoke="{pending.pk}"' in html
    assert f'data-resend="{pending.pk}"' in html
    assert f'data-revoke="{revoked.pk}"' not in html  # already revoked: only a new link
    assert f'data-resend="{revoked.pk}"' in html
