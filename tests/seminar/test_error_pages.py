"""403, 404 and 500: the app's own pages, in the member's language, saying why and leading back.
(The 500 page with the database unreachable: tests/hardening/test_faults_error_page.py.)"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_member_opening_an_organizers_page_gets_the_apps_403(member_client, member):
    response = member_client.get(reverse("schedule"))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="topbar"' in html  # the app's layout, its menu and all
    assert "You may not open this page" in html
    assert f"You are signed in as {member.display_name}." in html
    assert f'href="{reverse("home")}"' in html
    # Signing in as someone else: sign out, then the sign-in page, then back here.
    assert f'action="{reverse("account_logout")}"' in html
    assert 'value="/accounts/login/?next=/schedule/"' in html
    assert "Sign in as another user" in html


def test_the_403_page_speaks_the_members_language(member_client, member):
    member.language = "ko"
    member.save(update_fields=["language"])
    html = member_client.get(reverse("schedule")).content.decode()
    assert '<html lang="ko">' in html


def test_sign_in_as_another_user_signs_out_and_comes_back(member_client):
    html = member_client.get(reverse("schedule")).content.decode()
    assert "Sign in as another user" in html
    response = member_client.post(
        reverse("account_logout"), {"next": "/accounts/login/?next=/schedule/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/schedule/"
    assert member_client.get(reverse("home")).status_code == 302  # signed out indeed


def test_a_wrong_address_gets_the_apps_404_with_debug_off(settings, member_client):
    settings.DEBUG = False
    response = member_client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="topbar"' in html
    assert "There is no page here" in html
    assert "<code>/no-such-page/</code>" in html
    assert f'href="{reverse("week_list")}"' in html


def test_a_missing_object_gets_the_same_404(member_client):
    response = member_client.get(reverse("week_detail", args=[999_999]))
    assert response.status_code == 404
    assert "There is no page here" in response.content.decode()


def test_the_404_page_escapes_the_address(client):
    response = client.get("/%3Cscript%3Ealert(1)%3C/script%3E/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<script>alert(1)" not in html


def test_a_visitor_gets_the_404_with_a_way_to_sign_in(client):
    html = client.get("/no-such-page/").content.decode()
    assert "There is no page here" in html
    assert reverse("account_login") in html


def test_an_error_in_a_view_gets_the_apps_500(settings, member):
    from seminar.config import urls

    def broken(request):
        raise RuntimeError("boom")

    from django.urls import path

    settings.ROOT_URLCONF = type(
        "Urls", (), {"urlpatterns": [path("boom/", broken), *urls.urlpatterns]}
    )
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="ko")
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert "boom" not in html and "Traceback" not in html
    assert 'href="/"' in html
