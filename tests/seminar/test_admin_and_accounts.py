from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import CandidatePaperFactory, ReviewFactory, WeekFactory

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "seminar_user",
    "seminar_term",
    "seminar_week",
    "seminar_topic",
    "seminar_reviewerslot",
    "seminar_invitation",
    "seminar_assignmentchange",
    "reviews_review",
    "papers_candidatepaper",
    "papers_digest",
    "papers_digestsource",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_organizers_can_use_the_admin_changelists(organizer_client, page):
    WeekFactory()
    ReviewFactory()
    CandidatePaperFactory()
    app, model = page.split("_", 1)
    response = organizer_client.get(reverse(f"admin:{app}_{model}_changelist") + "?q=a")
    assert response.status_code == 200


def test_organizers_edit_a_week_with_its_topics_inline(organizer_client):
    week = WeekFactory()
    response = organizer_client.get(reverse("admin:seminar_week_change", args=[week.pk]))
    assert response.status_code == 200
    assert "topics-TOTAL_FORMS" in response.content.decode()


def test_members_cannot_open_the_admin(member_client):
    response = member_client.get(reverse("admin:seminar_week_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_password_reset_mails_a_link(client, member):
    response = client.post(reverse("account_reset_password"), {"email": member.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_unverified_member_is_asked_to_verify_before_signing_in(client, member):
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": "pw-for-tests"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
