"""Accounts abused from the outside: invitations (finding 12) and display names (finding 13).

12. An invitation link bound the browser to "someone was invited", not to the invited address:
    the invitee could sign up as another pending invitee, the invitation key stayed in the
    session, and expiry was not checked again when the sign-up form was sent.
13. A display name could hold CR/LF and other control characters: the member's own calendar
    feed answered 500 and lines were injected into the exported week page.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar

from reviews import weekpage
from reviews.pages import export_week
from seminar.adapters import INVITATION_SESSION_KEY
from seminar.forms import ProfileForm
from seminar.models import Invitation, User
from seminar.reports import calendar as ical
from tests.factories import (
    ReviewerSlotFactory,
    ReviewFactory,
    ReviewSectionFactory,
    TopicFactory,
    UserFactory,
    WeekFactory,
)

pytestmark = pytest.mark.django_db

INVITED_AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
PASSWORD = "a-long-enough-passphrase"


def _signup(client, email: str, **extra):
    data = {
        "email": email,
        "name": "새회원",
        "language": "en",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }
    return client.post(reverse("account_signup"), data)


@pytest.fixture(autouse=True)
def sessions_outlive_the_invitations(settings):
    """Sessions last longer than an invitation here, so a test can come back after expiry
    with the same browser (and read its session at any moment it travels to)."""
    settings.SESSION_COOKIE_AGE = 400 * 24 * 3600


@pytest.fixture
def invitations(organizer):
    """Two pending invitations, made on INVITED_AT: Alice's (the attacker's) and Bob's."""
    with time_machine.travel(INVITED_AT, tick=False):
        alice = Invitation.objects.create(email="alice@example.org", invited_by=organizer)
        bob = Invitation.objects.create(email="bob@example.org", invited_by=organizer)
    return alice, bob


# --- 12: invitations ----------------------------------------------------------------------


def test_invitation_signup_cannot_take_another_pending_invitees_address(client, invitations):
    from allauth.account.models import EmailAddress
    from django.test import Client

    alice, bob = invitations
    with time_machine.travel(INVITED_AT + timedelta(days=1), tick=False):
        client.get(alice.get_absolute_url())
        _signup(client, "bob@example.org")

        assert not User.objects.filter(email="bob@example.org").exists()
        assert not EmailAddress.objects.filter(email="bob@example.org").exists()
        bob.refresh_from_db()
        assert bob.accepted_at is None
        # Bob's own link still works: his address was not squatted.
        bobs_browser = Client()
        bobs_browser.get(bob.get_absolute_url())
        _signup(bobs_browser, "bob@example.org", name="Bob")

    assert User.objects.get(email="bob@example.org").name == "Bob"


def test_invitation_signup_uses_the_invited_address_whatever_was_typed(client, invitations):
    alice, _ = invitations
    with time_machine.travel(INVITED_AT + timedelta(days=1), tick=False):
        client.get(alice.get_absolute_url())
        page = client.get(reverse("account_signup")).content.decode()
        response = _signup(client, "mallory@elsewhere.example")

    assert 'value="alice@example.org"' in page
    assert response.status_code == 302
    user = User.objects.get(email="alice@example.org")
    assert user.emailaddress_set.get().verified
    assert not User.objects.filter(email="mallory@elsewhere.example").exists()
    alice.refresh_from_db()
    assert alice.accepted_at is not None


def test_invitation_key_leaves_the_session_after_signing_up(client, invitations):
    alice, _ = invitations
    with time_machine.travel(INVITED_AT + timedelta(days=1), tick=False):
        client.get(alice.get_absolute_url())
        assert client.session.get(INVITATION_SESSION_KEY) == alice.token
        _signup(client, alice.email)

        assert User.objects.filter(email=alice.email).exists()
        assert INVITATION_SESSION_KEY not in client.session


def test_invitation_that_expired_after_the_link_was_opened_is_refused_at_signup(
    client, invitations
):
    alice, _ = invitations
    with time_machine.travel(INVITED_AT + timedelta(days=29), tick=False):
        client.get(alice.get_absolute_url())
        assert client.session.get(INVITATION_SESSION_KEY) == alice.token
    with time_machine.travel(INVITED_AT + timedelta(days=31), tick=False):
        response = _signup(client, alice.email)

        assert not User.objects.filter(email=alice.email).exists()
        assert INVITATION_SESSION_KEY not in client.session
        assert not client.session.get("account_verified_email")
    assert response.status_code in (200, 302)


def test_invitation_used_in_another_browser_is_refused_and_forgotten(client, invitations):
    from django.test import Client

    alice, _ = invitations
    other = Client()
    with time_machine.travel(INVITED_AT + timedelta(days=1), tick=False):
        client.get(alice.get_absolute_url())
        other.get(alice.get_absolute_url())
        _signup(other, alice.email)
        assert User.objects.filter(email=alice.email).count() == 1
        response = _signup(client, alice.email, name="두번째")

        assert User.objects.filter(email=alice.email).count() == 1
        assert User.objects.get(email=alice.email).name == "새회원"
        assert INVITATION_SESSION_KEY not in client.session
    assert response.status_code in (200, 302)


def test_expired_invitation_link_clears_what_an_earlier_visit_left_in_the_session(
    client, invitations
):
    alice, _ = invitations
    with time_machine.travel(INVITED_AT + timedelta(days=1), tick=False):
        client.get(alice.get_absolute_url())
    with time_machine.travel(INVITED_AT + timedelta(days=40), tick=False):
        assert client.session.get(INVITATION_SESSION_KEY) == alice.token
        response = client.get(alice.get_absolute_url())

        assert response.status_code == 302
        assert INVITATION_SESSION_KEY not in client.session
        assert not client.session.get("account_verified_email")


def test_domain_signup_cannot_claim_an_address_that_has_a_pending_invitation(
    client, settings, invitations
):
    settings.SEMINAR_SIGNUP_DOMAINS = ["example.org"]
    with time_machine.travel(INVITED_AT + timedelta(days=1), tick=False):
        response = _signup(client, "bob@example.org")
        assert _signup(client, "carol@example.org").status_code == 302

    assert response.status_code == 200
    assert "invitation" in response.content.decode()
    assert not User.objects.filter(email="bob@example.org").exists()
    assert User.objects.filter(email="carol@example.org").exists()  # no invitation: allowed


def test_member_cannot_add_a_pending_invitees_address_to_their_account(member_client, invitations):
    """Even unverified, an address on someone's account counts as taken: the invitee's own
    link would then only get an "account already exists" email."""
    from allauth.account.models import EmailAddress
    from django.test import Client

    _, bob = invitations
    with time_machine.travel(INVITED_AT + timedelta(days=1), tick=False):
        member_client.post(reverse("account_email"), {"action_add": "", "email": bob.email})
        assert not EmailAddress.objects.filter(email=bob.email).exists()
        bobs_browser = Client()
        bobs_browser.get(bob.get_absolute_url())
        _signup(bobs_browser, bob.email, name="Bob")

    assert User.objects.get(email=bob.email).name == "Bob"


# --- 13: display names ----------------------------------------------------------------------

# No NUL among them: PostgreSQL cannot store it (the form refuses it, as Django always did).
HOSTILE_NAME = "Kim\r\nATTENDEE:mailto:x@evil.example\n### 주제 9: injected\x1b\x07\u202eLee\u200b"
HOSTILE_NAME_ON_ONE_LINE = "Kim ATTENDEE:mailto:x@evil.example ### 주제 9: injected Lee"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Kim\r\nLee", "Kim Lee"),
        ("  Kim \t  Lee  ", "Kim Lee"),
        ("Kim\x00\x07\x1bLee", "Kim Lee"),
        ("\u202eeeL miK", "eeL miK"),  # bidi override: invisible, reorders the text
        ("Ki\u200bm\u2028Lee\x85", "Kim Lee"),
        ("박민경", "박민경"),
        ("José  Ñúñez", "José Ñúñez"),
    ],
)
def test_display_name_normalizer_removes_control_characters_and_collapses_spaces(raw, clean):
    from seminar.models import normalize_display_name

    assert normalize_display_name(raw) == clean


def test_profile_form_stores_a_name_without_control_characters(member_client, member):
    response = member_client.post(
        reverse("profile"),
        {"name": "Kim\r\nLee\x07", "language": "en", "timezone": "Asia/Seoul"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.name == "Kim Lee"


def test_signup_stores_a_name_without_control_characters(client, invitations):
    alice, _ = invitations
    with time_machine.travel(INVITED_AT + timedelta(days=1), tick=False):
        client.get(alice.get_absolute_url())
        _signup(client, alice.email, name="Alice\r\n- **발표자**: Mallory")
    assert User.objects.get(email=alice.email).name == "Alice - **발표자**: Mallory"


def test_signup_refuses_a_name_that_is_only_control_characters(client, invitations):
    alice, _ = invitations
    with time_machine.travel(INVITED_AT + timedelta(days=1), tick=False):
        client.get(alice.get_absolute_url())
        response = _signup(client, alice.email, name="\u200b\u202e\u2066")
    assert response.status_code == 200
    assert not User.objects.filter(email=alice.email).exists()


def test_model_validation_refuses_a_name_with_line_breaks_and_saving_strips_them():
    """The admin's user form runs the model's validators; code that saves directly is
    normalized by `save()`."""
    with pytest.raises(ValidationError) as error:
        User(email="x@example.org", name="Kim\nLee").full_clean(exclude=["password"])
    assert "name" in error.value.message_dict
    user = UserFactory(name="Kim\r\nLee\u202e")
    user.refresh_from_db()
    assert user.name == "Kim Lee"


def test_profile_form_uses_the_same_rule_as_the_model(member):
    form = ProfileForm(
        {"name": "A\u2029B", "language": "en", "timezone": "Asia/Seoul"}, instance=member
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "A B"


@pytest.fixture
def stored_hostile_name(other_member):
    """A member whose name was stored before the rule existed (written around `save()`)."""
    User.objects.filter(pk=other_member.pk).update(name=HOSTILE_NAME)
    other_member.refresh_from_db()
    return other_member


def test_member_feed_answers_for_a_name_stored_with_line_breaks(client, stored_hostile_name):
    ical.regenerate_calendar_token(member=stored_hostile_name)
    week = WeekFactory(number=3)
    topic = TopicFactory(week=week, order=1, title="Paper", presenter=stored_hostile_name)
    ReviewerSlotFactory(topic=topic, number=1, reviewer=stored_hostile_name)

    response = client.get(reverse("member_calendar", args=[stored_hostile_name.calendar_token]))

    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    assert not any(line.startswith(b"ATTENDEE") for line in response.content.split(b"\r\n")), (
        "a line was injected into the feed"
    )
    assert HOSTILE_NAME_ON_ONE_LINE in str(calendar["X-WR-CALNAME"])


def test_group_feed_answers_for_a_presenter_name_stored_with_line_breaks(
    client, member, stored_hostile_name
):
    ical.regenerate_calendar_token(member=member)
    TopicFactory(week=WeekFactory(number=3), order=1, presenter=stored_hostile_name)
    response = client.get(reverse("group_calendar", args=[member.calendar_token]))
    assert response.status_code == 200
    # RFC 5545 TEXT allows no control characters; CRLF only ends (or folds) content lines.
    text = response.content.decode().replace("\r\n ", "").replace("\r\n", "\n")
    assert [c for c in text if c != "\n" and unicodedata.category(c) in ("Cc", "Cf")] == []
    assert HOSTILE_NAME_ON_ONE_LINE in text


def test_week_page_export_keeps_a_stored_name_on_its_own_line(stored_hostile_name, member):
    week = WeekFactory(number=3)
    topic = TopicFactory(week=week, order=1, title="Real paper", presenter=stored_hostile_name)
    slot = ReviewerSlotFactory(topic=topic, number=1, reviewer=stored_hostile_name)
    review = ReviewFactory(
        slot=slot,
        author=stored_hostile_name,
        status="submitted",
        submitted_at=datetime(2026, 3, 2, tzinfo=UTC),
    )
    ReviewSectionFactory(review=review, order=1, heading="리뷰", body="좋다")

    page = export_week(week)

    assert "\n### 주제 9" not in page
    assert "\r" not in page and "\x1b" not in page
    parsed = weekpage.parse_week_page(page)
    assert [t.title for t in parsed.topics] == ["Real paper"]
    assert parsed.problems == ()
    assert parsed.topics[0].presenter == HOSTILE_NAME_ON_ONE_LINE
