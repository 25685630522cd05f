"""The time zone setting: a list of real zones, a clear refusal of anything else, and pages
that then show times in the chosen zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from seminar.forms import COMMON_TIME_ZONES, ProfileForm, time_zone_choices
from tests.factories import TermFactory, WeekFactory

pytestmark = pytest.mark.django_db

SETTINGS = {"name": "박민경", "language": "en", "email_weekly": "on"}


def test_the_zone_list_starts_with_the_common_ones_and_holds_every_real_zone():
    (common_label, common), (all_label, rest) = time_zone_choices()
    assert (common_label, all_label) == ("Common", "All time zones")
    assert [z for z, _ in common] == list(COMMON_TIME_ZONES)
    names = [z for z, _ in rest]
    assert "Europe/Paris" in names and "Asia/Seoul" not in names  # listed once
    assert "Seoul" not in names and "EST5EDT" not in names


def test_the_settings_page_offers_a_select_of_zones(member_client):
    html = member_client.get(reverse("profile")).content.decode()
    assert '<select name="timezone"' in html
    assert '<option value="Asia/Seoul" selected>' in html
    assert '<optgroup label="Common">' in html


def test_a_zone_that_does_not_exist_is_refused_with_a_clear_error(member_client, member):
    response = member_client.post(reverse("profile"), {**SETTINGS, "timezone": "Seoul"})
    assert response.status_code == 200  # the form again, not "saved"
    html = response.content.decode()
    assert "“Seoul” is not a time zone this site knows." in html
    assert "Your settings were saved." not in html
    member.refresh_from_db()
    assert member.timezone == "Asia/Seoul"


def test_a_real_zone_is_saved(member_client, member):
    response = member_client.post(
        reverse("profile"), {**SETTINGS, "timezone": "America/Los_Angeles"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.timezone == "America/Los_Angeles"


def test_the_form_refuses_a_legacy_alias():
    form = ProfileForm(data={**SETTINGS, "timezone": "EST5EDT"})
    assert not form.is_valid() and "timezone" in form.errors


def test_pages_show_times_in_the_members_zone(member_client, member):
    # 2030-03-07 10:00 UTC is 19:00 in Seoul and 02:00 in Los Angeles.
    starts = datetime(2030, 3, 7, 10, 0, tzinfo=UTC)
    week = WeekFactory(term=TermFactory(), starts_at=starts, review_deadline=starts)
    url = reverse("week_detail", args=[week.pk])
    assert "2030-03-07 (Thu) 19:00</time>" in member_client.get(url).content.decode()
    member.timezone = "America/Los_Angeles"
    member.save(update_fields=["timezone"])
    html = member_client.get(url).content.decode()
    assert "2030-03-07 (Thu) 02:00</time>" in html and "(Thu) 19:00</time>" not in html


def test_a_broken_stored_zone_falls_back_to_the_groups(member_client, member):
    member.timezone = "Not/AZone"
    member.save(update_fields=["timezone"])
    assert member_client.get(reverse("home")).status_code == 200
