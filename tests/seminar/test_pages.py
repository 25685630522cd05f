from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from seminar.models import Invitation, User
from tests.factories import ReviewerSlotFactory, ReviewFactory, ReviewSectionFactory, WeekFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.mark.parametrize("url", ["/", "/weeks/", "/settings/", "/invitations/"])
def test_pages_send_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_week_page_shows_topics_and_submitted_reviews(member_client, other_member):
    review = ReviewFactory(status="submitted", submitted_at="2025-01-01T00:00:00Z")
    ReviewSectionFactory(review=review, order=1, heading="문제 정의", body="**굵게** 쓴 문장")
    response = member_client.get(review.slot.topic.week.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert review.slot.topic.title in html
    assert "1. 문제 정의" in html
    assert "<strong>굵게</strong>" in html


def test_week_page_hides_other_members_drafts(client, member, other_member):
    review = ReviewFactory(slot__reviewer=other_member, author=other_member)
    ReviewSectionFactory(review=review, body="비밀 초안")
    client.force_login(member)
    assert "비밀 초안" not in client.get(review.slot.topic.week.get_absolute_url()).content.decode()
    client.force_login(other_member)
    assert "비밀 초안" in client.get(review.slot.topic.week.get_absolute_url()).content.decode()


def test_week_page_renders_script_as_inert_text(member_client):
    review = ReviewFactory(status="submitted", submitted_at="2025-01-01T00:00:00Z")
    ReviewSectionFactory(
        review=review,
        body="<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))",
    )
    html = member_client.get(review.slot.topic.week.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "onerror=alert(2)>" not in html
    assert "javascript:alert(3)" not in html


def test_week_page_query_count_does_not_grow_with_content(
    member_client, django_assert_max_num_queries
):
    week = WeekFactory()
    slot = ReviewerSlotFactory(topic__week=week)
    first = ReviewFactory(
        slot__topic__week=week, status="submitted", submitted_at="2025-01-01T00:00:00Z"
    )
    ReviewSectionFactory(review=first)
    member_client.get(week.get_absolute_url())  # warm the session and the language lookups
    cache.clear()  # the uncached page is what must not grow (a cached one is a lookup)
    with django_assert_max_num_queries(12) as small:
        member_client.get(week.get_absolute_url())
    for _ in range(4):
        review = ReviewFactory(
            slot__topic__week=week, status="submitted", submitted_at="2025-01-01T00:00:00Z"
        )
        ReviewSectionFactory(review=review)
    ReviewerSlotFactory(topic=slot.topic)
    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        member_client.get(week.get_absolute_url())


def test_home_shows_the_next_week(member_client):
    week = WeekFactory(number=4)
    response = member_client.get("/")
    assert response.status_code == 200
    assert response.context["week"] == week


def test_organizer_invites_and_invitee_signs_up_verified(organizer_client, client):
    response = organizer_client.post(
        "/invitations/", {"emails": "new@example.org, second@example.org"}
    )
    assert response.status_code == 302
    assert Invitation.objects.count() == 2
    assert len(mail.outbox) == 2
    invitation = Invitation.objects.get(email="new@example.org")
    assert invitation.get_absolute_url() in mail.outbox[0].body + mail.outbox[1].body

    client.logout()
    response = client.get(invitation.get_absolute_url())
    assert response.status_code == 302
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "name": "새회원",
            "language": "en",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert (user.name, user.language) == ("새회원", "en")
    assert user.emailaddress_set.get().verified
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_signup_without_invitation_is_closed(client):
    response = client.get(reverse("account_signup"))
    assert "closed" in response.templates[0].name or response.status_code == 200
    client.post(
        reverse("account_signup"),
        {
            "email": "stranger@example.org",
            "name": "x",
            "language": "ko",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert not User.objects.filter(email="stranger@example.org").exists()


def test_signup_from_allowed_domain_needs_no_invitation(client, settings):
    settings.SEMINAR_SIGNUP_DOMAINS = ["lab.example.ac.kr"]
    response = client.post(
        reverse("account_signup"),
        {
            "email": "kim@lab.example.ac.kr",
            "name": "김",
            "language": "ko",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="kim@lab.example.ac.kr").exists()


def test_signup_from_other_domain_is_refused_with_reason(client, settings):
    settings.SEMINAR_SIGNUP_DOMAINS = ["lab.example.ac.kr"]
    response = client.post(
        reverse("account_signup"),
        {
            "email": "kim@gmail.com",
            "name": "김",
            "language": "ko",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 200
    assert "invitation" in response.content.decode() or "초대" in response.content.decode()
    assert response.context["form"]["name"].value() == "김"
    assert not User.objects.filter(email="kim@gmail.com").exists()


def test_invitations_page_refuses_members(member_client):
    assert member_client.get("/invitations/").status_code == 403
    assert member_client.post("/invitations/", {"emails": "x@example.org"}).status_code == 403
    assert not Invitation.objects.exists()


def test_language_switch_is_saved_for_the_member(member_client, member):
    member.language = "ko"
    member.save()
    assert '<html lang="ko">' in member_client.get("/weeks/").content.decode()
    response = member_client.post("/language/", {"language": "en", "next": "/weeks/"})
    assert response.status_code == 302
    assert response["Location"] == "/weeks/"
    member.refresh_from_db()
    assert member.language == "en"
    html = member_client.get("/weeks/").content.decode()
    assert '<html lang="en">' in html
    assert "Weeks" in html


def test_switching_to_korean_translates_the_interface(member_client, member):
    member_client.post("/language/", {"language": "ko", "next": "/weeks/"})
    html = member_client.get("/weeks/").content.decode()
    assert '<html lang="ko">' in html
    assert "대시보드" in html  # the navigation's "Dashboard", from the compiled catalog


def test_language_switch_refuses_offsite_redirects(client):
    response = client.post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_korean_is_the_default_language(client, settings):
    settings.LANGUAGE_CODE = "ko"
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="ko">' in html
    assert "로그인" in html


def test_new_members_default_to_korean(db):
    from seminar.models import User

    assert User.objects.create_user(email="new@example.org", password="x").language == "ko"
