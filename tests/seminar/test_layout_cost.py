"""What every page pays for its layout (#17): sessions from the cache, the member and whether
they organize in one query, the navigation rendered once per kind of viewer with each
request's own values put in."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.core.cache import cache, caches
from django.shortcuts import render
from django.urls import include, path, reverse
from django.utils.module_loading import import_string

from seminar.discussion.services import unread_cache_key
from seminar.permissions import ORGANIZERS_GROUP, MemberBackend
from seminar.templatetags import layout

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def _layout_only(request):
    return render(request, "base.html", {})


# The site's URLs (the navigation links them) and one page that is the layout alone.
urlpatterns = [
    path("layout-only/", _layout_only, name="layout_only"),
    path("", include(django_settings.ROOT_URLCONF)),
]


@pytest.fixture(autouse=True)
def _empty_caches():
    cache.clear()
    caches["sessions"].clear()
    layout._kept.clear()
    yield
    cache.clear()
    caches["sessions"].clear()


def _nav(html: str) -> str:
    return html[html.index("<header") : html.index("</header>")]


def test_a_signed_in_page_costs_one_query_for_session_member_and_organizer_check(
    organizer_client, django_assert_num_queries
):
    organizer_client.get("/layout-only/")
    with django_assert_num_queries(1):  # the member, with whether they organize
        html = organizer_client.get("/layout-only/").content.decode()
    assert "nav-menu" in html  # the Organize menu


def test_anonymous_pages_make_no_query_for_the_layout(client, django_assert_num_queries):
    client.get("/layout-only/")
    with django_assert_num_queries(0):
        html = client.get("/layout-only/").content.decode()
    assert reverse("account_login") in html


def test_leaving_the_organizers_shows_at_the_next_request(organizer_client, organizer):
    assert "nav-menu" in organizer_client.get("/layout-only/").content.decode()
    organizer.groups.remove(Group.objects.get(name=ORGANIZERS_GROUP))
    assert "nav-menu" not in organizer_client.get("/layout-only/").content.decode()


def test_member_backend_reads_the_organizer_flag_and_refuses_inactive_members(organizer, member):
    backend = MemberBackend()
    assert backend.get_user(organizer.pk)._is_organizer is True
    assert backend.get_user(member.pk)._is_organizer is False
    member.is_active = False
    member.save()
    assert backend.get_user(member.pk) is None
    assert backend.get_user(10**9) is None
    assert backend.get_user("not a number") is None


def test_the_session_survives_the_sessions_cache_being_emptied(
    member_client, member, django_assert_num_queries
):
    member_client.get("/layout-only/")
    caches["sessions"].clear()
    with django_assert_num_queries(2):  # the session from the database, then the member
        html = member_client.get("/layout-only/").content.decode()
    assert member.display_name in html
    with django_assert_num_queries(1):  # and the session is in the cache again
        member_client.get("/layout-only/")


def test_sessions_work_with_the_cache_down(client, member, settings):
    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    settings.CACHES = {"default": dummy, "sessions": dummy}
    client.force_login(member)
    html = client.get("/layout-only/").content.decode()
    assert member.display_name in html
    assert 'class="nav-user"' in html


def test_signing_out_ends_the_cached_session(client, member):
    client.force_login(member)
    key = client.session.session_key
    assert client.get("/layout-only/").content.decode().count('class="nav-user"') == 1
    client.post(reverse("account_logout"))
    client.cookies[django_settings.SESSION_COOKIE_NAME] = key  # the old cookie, replayed
    assert 'class="nav-user"' not in client.get("/layout-only/").content.decode()


def test_sessions_signed_in_with_the_old_backend_stay_signed_in(client, member):
    engine = import_string(django_settings.SESSION_ENGINE + ".SessionStore")
    session = engine()
    session[SESSION_KEY] = str(member.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = member.get_session_auth_hash()
    session.create()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key
    assert member.display_name in client.get("/layout-only/").content.decode()


def test_each_viewer_gets_their_own_name_token_path_and_bell(client, member, other_member):
    cache.set(unread_cache_key(member.pk), 3)
    client.force_login(member)
    mine = client.get("/layout-only/?from=a").content.decode()
    client.force_login(other_member)
    theirs = client.get("/layout-only/?from=b").content.decode()
    assert member.display_name in mine and member.display_name not in theirs
    assert other_member.display_name in theirs
    # The kept HTML is shared; the bell's count is not.
    assert "<span data-count-value>3</span>" in mine
    assert "<span data-count-value>3</span>" not in theirs
    assert "data-unknown" in theirs  # no count cached for them: the script asks
    assert 'value="/layout-only/?from=a"' in mine and 'value="/layout-only/?from=b"' in theirs
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', theirs)
    assert len(tokens) == 2 and "marker" not in tokens[0]
    assert "layout0" not in mine + theirs  # no marker left behind


def test_the_values_put_into_the_kept_html_are_escaped(member_client, member):
    member.name = '<b onmouseover="x">Kim</b>'
    member.save()
    html = member_client.get(
        "/layout-only/", QUERY_STRING='q="><script>alert(1)</script>'
    ).content.decode()
    assert "<script>alert(1)" not in html
    assert '"><script>' not in html
    assert "&lt;b onmouseover=&quot;x&quot;&gt;Kim&lt;/b&gt;" in html
    assert "<b onmouseover" not in html


def test_only_organizers_get_the_organize_menu_after_an_organizer_filled_the_layout(
    client, organizer, member
):
    client.force_login(organizer)
    assert "nav-menu" in client.get("/layout-only/").content.decode()
    client.force_login(member)
    html = client.get("/layout-only/").content.decode()
    assert "nav-menu" not in html
    assert reverse("admin:index") not in html


def test_the_current_section_and_language_are_marked(member_client, member):
    html = member_client.get(reverse("week_list")).content.decode()
    assert f'<a href="{reverse("week_list")}" aria-current="page">' in _nav(html)
    assert _nav(html).count('aria-current="page"') == 1
    assert '<option value="en" selected>' in html
    member.language = "ko"
    member.save()
    html = member_client.get("/layout-only/").content.decode()
    assert '<option value="ko" selected>' in html
    assert 'aria-current="page"' not in _nav(html)
    assert '<html lang="ko">' in html
