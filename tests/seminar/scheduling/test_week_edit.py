"""Editing one week and removing an empty one without the admin (#13): the rules as plain
functions (`seminar.scheduling.weeks.update_week`, `remove_week`), the calendar feed that
follows a moved meeting, then the week page's forms that call them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from icalendar import Calendar

from seminar.models import IncomingChange, RepositoryConnection, Week
from seminar.reports import calendar as ical
from seminar.scheduling import DeadlineRule, create_term, remove_week, update_week
from tests.factories import TopicFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_clock")]

SEOUL = ZoneInfo("Asia/Seoul")
# fixed_clock: Wednesday 2027-03-03 10:00 in Seoul.


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


@pytest.fixture
def weeks() -> list[Week]:
    """2027 봄: Thursdays 4, 11 and 18 March at 19:00, numbered 1–3; reviews due two days
    before at 22:00; the term runs from 2 to 31 March."""
    new = create_term(
        name="2027 봄",
        starts_on=date(2027, 3, 2),
        ends_on=date(2027, 3, 31),
        weekday=3,
        meeting_time=time(19, 0),
        place="공학관 301",
        rule=DeadlineRule(days_before=2, at=time(22, 0)),
        skip_dates=[date(2027, 3, 25)],
    )
    return new.weeks


def edit(week: Week, actor, **overrides):
    fields = {
        "starts_at": week.starts_at,
        "place": week.place,
        "online_url": week.online_url,
        "review_deadline": week.review_deadline,
        "late_policy": week.late_policy,
        "notes": week.notes,
    }
    return update_week(week=week, actor=actor, **{**fields, **overrides})


def codes(error: ValidationError) -> list[str]:
    return [e.code for e in error.error_list]


def unchanged(week: Week) -> bool:
    before = {f.attname: getattr(week, f.attname) for f in Week._meta.concrete_fields}
    week.refresh_from_db()
    return before == {f.attname: getattr(week, f.attname) for f in Week._meta.concrete_fields}


# --- update_week ------------------------------------------------------------------------------


def test_update_week_saves_every_field_and_says_which_changed(weeks, organizer):
    week = weeks[1]
    done = edit(
        week,
        organizer,
        starts_at=kst(2027, 3, 12, 18, 30),
        place="도서관 세미나실",
        online_url="https://meet.example.org/w2",
        review_deadline=kst(2027, 3, 11, 9, 0),
        late_policy=Week.LatePolicy.REFUSE,
        notes="간식은 각자",
    )
    week.refresh_from_db()
    assert (week.starts_at, week.place, week.online_url) == (
        kst(2027, 3, 12, 18, 30),
        "도서관 세미나실",
        "https://meet.example.org/w2",
    )
    assert (week.review_deadline, week.late_policy, week.notes) == (
        kst(2027, 3, 11, 9, 0),
        "refuse",
        "간식은 각자",
    )
    assert sorted(done.changed) == sorted(
        ["starts_at", "place", "online_url", "review_deadline", "late_policy", "notes"]
    )
    assert done.moved is True
    assert week.number == 2


def test_update_week_with_no_deadline_takes_the_terms_rule_for_the_new_date(weeks, organizer):
    done = edit(weeks[0], organizer, starts_at=kst(2027, 3, 5, 19, 0), review_deadline=None)
    assert done.week.review_deadline == kst(2027, 3, 3, 22, 0)  # two days before at 22:00


def test_update_week_changing_nothing_writes_nothing(weeks, organizer):
    done = edit(weeks[0], organizer)
    assert (done.changed, done.moved) == ([], False)


def test_update_week_refuses_a_deadline_after_the_meeting_and_writes_nothing(weeks, organizer):
    week = weeks[0]
    with pytest.raises(ValidationError) as refused:
        edit(week, organizer, place="다른 곳", review_deadline=kst(2027, 3, 4, 19, 1))
    assert codes(refused.value) == ["deadline_after_start"]
    assert unchanged(week)


def test_update_week_accepts_a_deadline_at_the_meeting_itself(weeks, organizer):
    done = edit(weeks[0], organizer, review_deadline=kst(2027, 3, 4, 19, 0))
    assert done.week.review_deadline == kst(2027, 3, 4, 19, 0)


def test_update_week_refuses_the_terms_rule_when_it_falls_after_the_meeting(weeks, organizer):
    term = weeks[0].term
    term.deadline_days_before, term.deadline_time = 0, time(23, 0)
    term.save()
    with pytest.raises(ValidationError) as refused:
        edit(weeks[0], organizer, review_deadline=None)
    assert codes(refused.value) == ["deadline_after_start"]


def test_update_week_refuses_the_day_of_another_week_of_its_term(weeks, organizer):
    week = weeks[0]
    with pytest.raises(ValidationError) as refused:
        edit(week, organizer, starts_at=kst(2027, 3, 11, 10, 0))
    assert codes(refused.value) == ["same_day"]
    assert "Week 2" in refused.value.messages[0]
    assert unchanged(week)


def test_update_week_keeps_the_order_of_the_term_past_the_next_week(weeks, organizer):
    with pytest.raises(ValidationError) as refused:
        edit(weeks[0], organizer, starts_at=kst(2027, 3, 12, 19, 0))
    assert codes(refused.value) == ["order"]
    assert "before week 2 (2027-03-11)" in refused.value.messages[0]


def test_update_week_keeps_the_order_of_the_term_before_the_previous_week(weeks, organizer):
    with pytest.raises(ValidationError) as refused:
        edit(weeks[2], organizer, starts_at=kst(2027, 3, 10, 19, 0))
    assert codes(refused.value) == ["order"]
    assert "after week 2 (2027-03-11)" in refused.value.messages[0]


def test_update_week_moves_freely_between_its_neighbours(weeks, organizer):
    done = edit(weeks[1], organizer, starts_at=kst(2027, 3, 17, 19, 0), review_deadline=None)
    assert done.week.starts_at == kst(2027, 3, 17, 19, 0)
    assert [w.number for w in Week.objects.order_by("starts_at")] == [1, 2, 3]


def test_update_week_refuses_a_day_outside_the_term(weeks, organizer):
    with pytest.raises(ValidationError) as refused:
        edit(weeks[2], organizer, starts_at=kst(2027, 4, 1, 19, 0), review_deadline=None)
    assert codes(refused.value) == ["outside_term"]


@pytest.mark.parametrize("year", [1969, 3000])
def test_update_week_refuses_years_outside_1970_to_2999(weeks, organizer, year):
    term = weeks[0].term
    term.starts_on, term.ends_on = date(1900, 1, 1), None
    term.save()
    moved = weeks[2] if year == 3000 else weeks[0]
    with pytest.raises(ValidationError) as refused:
        edit(moved, organizer, starts_at=kst(year, 6, 1, 19, 0), review_deadline=None)
    assert codes(refused.value) == ["date_range"]
    assert unchanged(moved)


def test_update_week_refuses_a_deadline_outside_1970(weeks, organizer):
    term = weeks[0].term
    term.starts_on = date(1900, 1, 1)
    term.save()
    with pytest.raises(ValidationError) as refused:
        edit(weeks[0], organizer, starts_at=kst(1970, 1, 1, 19, 0), review_deadline=None)
    assert codes(refused.value) == ["date_range"]  # the rule's deadline: 30 December 1969


def test_update_week_refuses_links_that_are_not_http(weeks, organizer):
    with pytest.raises(ValidationError) as refused:
        edit(weeks[0], organizer, online_url="javascript:alert(1)")
    assert refused.value.message_dict["online_url"] == [
        "Only http:// and https:// links can be saved."
    ]


def test_update_week_refuses_an_unknown_late_policy(weeks, organizer):
    with pytest.raises(ValidationError) as refused:
        edit(weeks[0], organizer, late_policy="maybe")
    assert codes(refused.value) == ["late_policy"]


def test_update_week_keeps_the_place_on_one_line_without_control_characters(weeks, organizer):
    done = edit(weeks[0], organizer, place="  공학관\r\n301\x00호 ", notes="  메모\x00  ")
    assert (done.week.place, done.week.notes) == ("공학관 301호", "메모")


def test_update_week_is_for_organizers_only(weeks, member):
    with pytest.raises(PermissionDenied):
        edit(weeks[0], member, place="회원이 바꾼 곳")
    assert unchanged(weeks[0])


def test_a_moved_meeting_moves_in_the_calendar_feed(weeks, organizer, client):
    """Calendars follow the week: the feed is computed from it, nothing to resend."""
    reader = UserFactory()
    token = ical.regenerate_calendar_token(member=reader)
    url = reverse("group_calendar", args=[token])

    def start_of_week_2():
        events = Calendar.from_ical(client.get(url).content).walk("VEVENT")
        event = next(e for e in events if str(e["UID"]).startswith(f"week-{weeks[1].pk}@"))
        return event.decoded("DTSTART"), str(event.get("LOCATION"))

    assert start_of_week_2() == (kst(2027, 3, 11, 19, 0), "공학관 301")
    edit(
        weeks[1],
        organizer,
        starts_at=kst(2027, 3, 12, 20, 30),
        place="도서관",
        review_deadline=None,
    )
    assert start_of_week_2() == (kst(2027, 3, 12, 20, 30), "도서관")


def test_a_moved_deadline_moves_the_reminders_that_will_go_out(weeks, organizer, member):
    """Reminders follow the week too: what goes out when is planned from it."""
    from seminar.reminders.outlook import coming_weeks_outlook
    from tests.factories import ReviewerSlotFactory

    topic = TopicFactory(week=weeks[1], order=1, title="Spurious Rewards")
    ReviewerSlotFactory(topic=topic, number=1, reviewer=member)
    now = kst(2027, 3, 3, 10, 0)

    def reviewer_deadline_stages():
        outlook = next(o for o in coming_weeks_outlook(now) if o.week.pk == weeks[1].pk)
        return sorted(e.planned_at for e in outlook.emails if e.kind == "reviewer_deadline")

    before = reviewer_deadline_stages()
    assert before  # the default policy plans reminders before the deadline
    edit(weeks[1], organizer, starts_at=kst(2027, 3, 12, 19, 0), review_deadline=None)
    after = reviewer_deadline_stages()
    assert after == [moment + timedelta(days=1) for moment in before]


# --- remove_week ------------------------------------------------------------------------------


def test_remove_week_deletes_an_empty_week_and_leaves_the_others_numbered(weeks, organizer):
    term = remove_week(week=weeks[1], actor=organizer)
    assert term == weeks[0].term
    assert list(Week.objects.order_by("starts_at").values_list("number", flat=True)) == [1, 3]


def test_remove_week_refuses_a_week_with_topics(weeks, organizer):
    TopicFactory(week=weeks[1], order=1, title="Spurious Rewards")
    with pytest.raises(ValidationError) as refused:
        remove_week(week=weeks[1], actor=organizer)
    assert codes(refused.value) == ["has_topics"]
    assert "move or remove its topics first" in refused.value.messages[0]
    assert Week.objects.filter(pk=weeks[1].pk).exists()


def test_remove_week_refuses_while_a_repository_edit_of_it_waits(weeks, organizer):
    connection = RepositoryConnection.objects.create(
        name="archive", url="https://127.0.0.1:9/g/a.git", auth="none"
    )
    IncomingChange.objects.create(
        connection=connection, week=weeks[1], path="weeks/x/02.md", base_text="", remote_text="x"
    )
    with pytest.raises(ValidationError) as refused:
        remove_week(week=weeks[1], actor=organizer)
    assert codes(refused.value) == ["incoming_change"]
    assert Week.objects.filter(pk=weeks[1].pk).exists()


def test_remove_week_is_for_organizers_only(weeks, member):
    with pytest.raises(PermissionDenied):
        remove_week(week=weeks[1], actor=member)
    assert Week.objects.filter(pk=weeks[1].pk).exists()


def test_remove_week_of_a_week_already_gone_says_so(weeks, organizer):
    stale = Week.objects.get(pk=weeks[1].pk)
    remove_week(week=weeks[1], actor=organizer)
    with pytest.raises(ValidationError) as refused:
        remove_week(week=stale, actor=organizer)
    assert codes(refused.value) == ["gone"]


# --- the week page's forms --------------------------------------------------------------------


def form_data(**overrides) -> dict[str, str]:
    return {
        "date": "2027-03-12",
        "time": "18:30",
        "place": "도서관 세미나실",
        "online_url": "https://meet.example.org/w2",
        "deadline_date": "2027-03-10",
        "deadline_time": "21:00",
        "late_policy": "mark",
        "notes": "",
        **overrides,
    }


def test_the_week_page_offers_the_edit_form_to_organizers_only(weeks, client, organizer, member):
    url = weeks[0].get_absolute_url()
    client.force_login(member)
    body = client.get(url).content.decode()
    assert "data-save-week" not in body and "data-remove-week" not in body
    client.force_login(organizer)
    body = client.get(url).content.decode()
    assert f'action="{reverse("week_edit", args=[weeks[0].pk])}"' in body
    assert f'action="{reverse("week_remove", args=[weeks[0].pk])}"' in body
    assert 'value="2027-03-04"' in body and 'value="19:00"' in body  # in the group's zone
    assert "Asia/Seoul" in body


def test_an_organizer_edits_a_week_from_its_page(weeks, client, organizer):
    client.force_login(organizer)
    response = client.post(reverse("week_edit", args=[weeks[1].pk]), form_data(), follow=True)
    assert response.redirect_chain == [(weeks[1].get_absolute_url(), 302)]
    body = response.content.decode()
    assert "It now meets on 2027-03-12 18:30, reviews due 2027-03-10 21:00" in body
    assert "도서관 세미나실" in body
    weeks[1].refresh_from_db()
    assert (weeks[1].starts_at, weeks[1].review_deadline) == (
        kst(2027, 3, 12, 18, 30),
        kst(2027, 3, 10, 21, 0),
    )


def test_the_deadline_box_takes_the_terms_rule_and_ignores_the_typed_deadline(
    weeks, client, organizer
):
    client.force_login(organizer)
    data = form_data(deadline_from_rule="on", deadline_date="", deadline_time="")
    assert client.post(reverse("week_edit", args=[weeks[1].pk]), data).status_code == 302
    weeks[1].refresh_from_db()
    assert weeks[1].review_deadline == kst(2027, 3, 10, 22, 0)


def test_a_refused_edit_comes_back_with_what_was_typed(weeks, client, organizer):
    client.force_login(organizer)
    data = form_data(place="새로 적은 장소", notes="적어 둔 메모", deadline_date="2027-03-13")
    response = client.post(reverse("week_edit", args=[weeks[1].pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "The review deadline must come before the week starts." in body
    assert 'value="새로 적은 장소"' in body and "적어 둔 메모" in body
    assert 'value="2027-03-13"' in body and 'value="18:30"' in body
    assert 'id="week-edit" open' in body
    assert unchanged(weeks[1])


def test_an_empty_deadline_without_the_box_is_refused_by_the_form(weeks, client, organizer):
    client.force_login(organizer)
    data = form_data(deadline_date="", deadline_time="")
    response = client.post(reverse("week_edit", args=[weeks[1].pk]), data)
    assert response.status_code == 200
    assert "tick the box to use the term" in response.content.decode()
    assert unchanged(weeks[1])


def test_removing_a_week_asks_first_then_goes_to_the_board(weeks, client, organizer):
    client.force_login(organizer)
    url = reverse("week_remove", args=[weeks[1].pk])
    response = client.post(url)
    assert response.status_code == 200
    assert "Are you sure?" in response.content.decode()
    assert 'name="confirm" value="1"' in response.content.decode()
    assert Week.objects.filter(pk=weeks[1].pk).exists()
    response = client.post(url, {"confirm": "1"}, follow=True)
    assert response.redirect_chain == [(reverse("schedule"), 302)]
    assert "Week 2 of 2027 봄 was removed." in response.content.decode()
    assert not Week.objects.filter(pk=weeks[1].pk).exists()


@pytest.mark.parametrize("confirm", [None, "1"])
def test_a_week_with_topics_is_not_removed_and_the_board_is_linked(
    weeks, client, organizer, confirm
):
    TopicFactory(week=weeks[1], order=1, title="Spurious Rewards")
    client.force_login(organizer)
    data = {"confirm": confirm} if confirm else {}
    response = client.post(reverse("week_remove", args=[weeks[1].pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Move or remove its topics first" in body
    assert f'href="{reverse("schedule")}#week-{weeks[1].pk}"' in body
    assert 'name="confirm"' not in body
    assert Week.objects.filter(pk=weeks[1].pk).exists()
