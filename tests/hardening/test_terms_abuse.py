"""Terms in the app and the organizer's card under attack: script in names and titles, a
`javascript:` meeting link, a term spanning decades, a member asking for the card."""

from __future__ import annotations

import time
from datetime import date

import pytest
from django.urls import reverse

from seminar.models import Term, Week
from tests.factories import ReviewerSlotFactory, TermFactory, TopicFactory, WeekFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_clock")]

SCRIPT = '<script>alert("x")</script>'


def term_post(**overrides) -> dict:
    return {
        "name": "2027 봄",
        "starts_on": "2027-03-02",
        "ends_on": "2027-03-25",
        "weekday": "3",
        "meeting_time": "19:00",
        "place": "",
        "online_url": "",
        "deadline_days_before": "1",
        "deadline_time": "23:59",
        "action": "create",
        **overrides,
    }


def test_script_in_a_term_name_or_topic_title_stays_text_on_the_board_archive_and_card(
    organizer_client,
):
    term = TermFactory(name=f"학기 {SCRIPT}")
    week = WeekFactory(term=term)
    ReviewerSlotFactory(topic=TopicFactory(week=week, presenter=None, title=f"논문 {SCRIPT}"))
    for url in (reverse("schedule"), reverse("week_list"), reverse("home")):
        html = organizer_client.get(url).content.decode()
        assert SCRIPT not in html, url
        assert "&lt;script&gt;" in html, url


def test_a_javascript_meeting_link_is_refused(organizer_client):
    response = organizer_client.post(
        reverse("schedule_create_term"), term_post(online_url="javascript:alert(1)")
    )
    assert response.status_code == 200
    assert "online_url" in response.context["term_form"].errors
    assert not Term.objects.exists()


def test_a_term_of_decades_is_refused_quickly_without_writing(organizer_client):
    started = time.monotonic()
    response = organizer_client.post(
        reverse("schedule_create_term"), term_post(starts_on="2027-03-02", ends_on="9999-12-31")
    )
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert not Term.objects.exists() and not Week.objects.exists()


def test_a_preview_of_decades_lists_a_bounded_page(organizer_client):
    """The preview of a very long range is refused by the rules on creation; listing it must
    not blow up the page either (the dates are computed, never stored)."""
    response = organizer_client.post(
        reverse("schedule_create_term"),
        term_post(starts_on="2027-03-02", ends_on="2127-03-02", action="preview"),
    )
    assert response.status_code == 200
    assert not Term.objects.exists()


def test_skipped_dates_from_the_page_cannot_reach_another_terms_week(organizer_client):
    """Offered and ticked dates only ever skip dates of the new term's own range."""
    other = TermFactory(name="다른 학기", starts_on=date(2027, 1, 1))
    data = term_post(offered_dates="2026-01-01 not-a-date 2027-03-04")
    data["week_dates"] = ["<script>", "2027-03-11"]
    organizer_client.post(reverse("schedule_create_term"), data)
    term = Term.objects.get(name="2027 봄")
    assert list(term.weeks.values_list("number", flat=True).order_by("number")) == [1, 2, 3]
    assert not other.weeks.exists()


def test_members_never_get_the_card(member_client, member):
    TopicFactory(week=WeekFactory(), presenter=None)
    html = member_client.get(reverse("home")).content.decode()
    assert "data-attention" not in html


def edit_post(of: Term, **overrides) -> dict:
    return {
        "name": of.name,
        "starts_on": of.starts_on.isoformat(),
        "ends_on": "",
        "weekday": "3",
        "meeting_time": "18:00",
        "place": "도서관",
        "online_url": "",
        "deadline_days_before": "1",
        "deadline_time": "23:59",
        "apply_to_coming_weeks": "on",
        **overrides,
    }


def _weeks_state() -> list[tuple]:
    return list(
        Week.objects.order_by("pk").values_list(
            "starts_at", "review_deadline", "place", "online_url"
        )
    )


def test_a_member_cannot_edit_a_term_or_move_its_weeks(member_client):
    term = TermFactory(name="그대로", starts_on=date(2027, 3, 1))
    WeekFactory(term=term, place="원래 장소")
    before = _weeks_state()
    response = member_client.post(
        reverse("schedule_rename_term", args=[term.pk]), edit_post(term, name="바뀜")
    )
    assert response.status_code == 403
    term.refresh_from_db()
    assert (term.name, term.place) == ("그대로", "")
    assert _weeks_state() == before


def test_a_javascript_link_in_a_term_edit_is_refused_and_no_week_takes_it(organizer_client):
    term = TermFactory(name="2027 봄", starts_on=date(2027, 3, 1))
    WeekFactory(term=term)
    before = _weeks_state()
    response = organizer_client.post(
        reverse("schedule_rename_term", args=[term.pk]),
        edit_post(term, online_url="javascript:alert(1)"),
    )
    assert response.status_code == 200
    assert "online_url" in response.context["terms"][0].edit_form.errors
    term.refresh_from_db()
    assert term.online_url == ""
    assert _weeks_state() == before


def test_an_edit_reaches_only_the_weeks_of_the_term_in_the_url(organizer_client):
    """A forged body naming another term (or week) changes nothing outside the URL's term."""
    term = TermFactory(name="이번 학기", starts_on=date(2027, 3, 1))
    other = TermFactory(name="다른 학기", starts_on=date(2027, 3, 1))
    theirs = WeekFactory(term=other, place="그쪽 장소")
    before = (theirs.starts_at, theirs.review_deadline, theirs.place)
    organizer_client.post(
        reverse("schedule_rename_term", args=[term.pk]),
        edit_post(term, term=other.pk, week=theirs.pk, pk=other.pk),
    )
    theirs.refresh_from_db()
    other.refresh_from_db()
    assert (theirs.starts_at, theirs.review_deadline, theirs.place) == before
    assert (other.name, other.place) == ("다른 학기", "")


def test_script_in_a_terms_place_stays_text_on_the_board(organizer_client):
    term = TermFactory(name="2027 봄", starts_on=date(2027, 3, 1))
    organizer_client.post(
        reverse("schedule_rename_term", args=[term.pk]), edit_post(term, place=SCRIPT)
    )
    term.refresh_from_db()
    assert term.place == SCRIPT
    html = organizer_client.get(reverse("schedule")).content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html
