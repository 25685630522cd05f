"""Terms in the app: the rules as plain functions (dates, weeks in bulk on the meeting day,
renaming, closing), then the board's forms that call them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from seminar import scheduling
from seminar.models import Term, Week
from seminar.scheduling import DeadlineRule
from seminar.scheduling.forms import WeekBulkForm
from seminar.selectors import weeks_for_archive
from tests.factories import ReviewFactory, TermFactory, TopicFactory, WeekFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_clock")]

SEOUL = ZoneInfo("Asia/Seoul")
# fixed_clock: Wednesday 2027-03-03 10:00 in Seoul.
TODAY = date(2027, 3, 3)
THURSDAY = Term.Weekday.THURSDAY


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


def spring(**overrides):
    fields = {
        "name": "2027 봄",
        "starts_on": date(2027, 3, 2),  # a Tuesday
        "ends_on": date(2027, 3, 25),  # a Thursday: the last meeting day is included
        "weekday": THURSDAY,
        "meeting_time": time(19, 30),
        "place": "  공학관 301 ",
        "online_url": "https://meet.example.com/seminar",
        "rule": DeadlineRule(days_before=2, at=time(22, 0)),
    }
    return scheduling.create_term(**{**fields, **overrides})


def codes(error: ValidationError) -> list[str]:
    return [e.code for e in error.error_list]


# --- dates (pure) -----------------------------------------------------------------------------


def test_meeting_dates_are_every_weekday_from_the_first_day_to_the_last_inclusive():
    dates = scheduling.meeting_dates(
        starts_on=date(2027, 3, 2), ends_on=date(2027, 3, 25), weekday=THURSDAY
    )
    assert dates == [date(2027, 3, 4), date(2027, 3, 11), date(2027, 3, 18), date(2027, 3, 25)]


def test_meeting_dates_start_on_the_first_day_when_it_is_the_meeting_day():
    dates = scheduling.meeting_dates(
        starts_on=date(2027, 3, 4), ends_on=date(2027, 3, 10), weekday=THURSDAY
    )
    assert dates == [date(2027, 3, 4)]


def test_meeting_dates_are_none_when_no_meeting_day_falls_in_the_range_or_it_is_reversed():
    assert (
        scheduling.meeting_dates(
            starts_on=date(2027, 3, 5), ends_on=date(2027, 3, 9), weekday=THURSDAY
        )
        == []
    )
    assert (
        scheduling.meeting_dates(
            starts_on=date(2027, 3, 25), ends_on=date(2027, 3, 2), weekday=THURSDAY
        )
        == []
    )


# --- creating a term with its weeks -----------------------------------------------------------


def test_a_new_term_gets_one_week_per_meeting_day_numbered_from_one_with_its_defaults():
    new = spring()
    term = Term.objects.get()
    assert new.term == term
    assert (term.name, term.weekday, term.meeting_time, term.place) == (
        "2027 봄",
        THURSDAY,
        time(19, 30),
        "공학관 301",
    )
    assert term.deadline_rule == DeadlineRule(days_before=2, at=time(22, 0))
    weeks = list(Week.objects.order_by("number"))
    assert [w.number for w in weeks] == [1, 2, 3, 4]
    assert [w.starts_at for w in weeks] == [
        kst(2027, 3, 4, 19, 30),
        kst(2027, 3, 11, 19, 30),
        kst(2027, 3, 18, 19, 30),
        kst(2027, 3, 25, 19, 30),
    ]
    assert weeks[0].review_deadline == kst(2027, 3, 2, 22, 0)
    assert {(w.place, w.online_url) for w in weeks} == {
        ("공학관 301", "https://meet.example.com/seminar")
    }
    assert [w.pk for w in new.weeks] == [w.pk for w in weeks]


def test_skipped_dates_get_no_week_and_leave_no_gap_in_the_numbers():
    spring(skip_dates=[date(2027, 3, 11), date(2027, 4, 1)])  # the second is not a meeting day
    weeks = list(Week.objects.order_by("number").values_list("number", "starts_at"))
    assert weeks == [
        (1, kst(2027, 3, 4, 19, 30)),
        (2, kst(2027, 3, 18, 19, 30)),
        (3, kst(2027, 3, 25, 19, 30)),
    ]


def test_a_term_without_a_meeting_day_in_its_range_is_created_with_no_weeks():
    new = spring(starts_on=date(2027, 3, 5), ends_on=date(2027, 3, 9))
    assert new.weeks == []
    assert Term.objects.filter(name="2027 봄").exists()
    assert not Week.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"name": "   "}, "name_required"),
        ({"name": "가" * 101}, "name_too_long"),
        ({"ends_on": date(2027, 3, 1)}, "ends_before_start"),
        ({"weekday": 7}, "weekday"),
        ({"rule": DeadlineRule(days_before=15, at=time(23, 59))}, "deadline_days"),
        # Due on the day at 20:00, but the meeting is at 19:30.
        ({"rule": DeadlineRule(days_before=0, at=time(20, 0))}, "deadline_after_start"),
        ({"ends_on": date(2028, 3, 31)}, "too_many"),  # 57 Thursdays
        ({"ends_on": date(9999, 12, 31)}, "too_long"),
    ],
)
def test_a_term_that_breaks_a_rule_is_refused_and_nothing_is_written(overrides, code):
    with pytest.raises(ValidationError) as caught:
        spring(**overrides)
    assert codes(caught.value) == [code]
    assert not Term.objects.exists()
    assert not Week.objects.exists()


def test_a_term_of_a_year_is_allowed_once_holidays_bring_it_under_the_limit():
    all_dates = scheduling.meeting_dates(
        starts_on=date(2027, 3, 2), ends_on=date(2028, 3, 31), weekday=THURSDAY
    )
    assert len(all_dates) == 57
    new = spring(ends_on=date(2028, 3, 31), skip_dates=all_dates[-5:])
    assert len(new.weeks) == scheduling.MAX_WEEKS_AT_ONCE


def test_a_name_is_taken_whatever_its_case_and_spacing():
    TermFactory(name="2027 Spring")
    with pytest.raises(ValidationError) as caught:
        spring(name="  2027   spring ")
    assert codes(caught.value) == ["name_taken"]
    assert Term.objects.count() == 1


def test_the_database_refuses_a_name_in_another_case_even_past_the_check():
    # Two organizers at the same moment both pass the name check; the constraint decides.
    TermFactory(name="2027 Spring")
    with pytest.raises(IntegrityError), transaction.atomic():
        TermFactory(name="2027 SPRING")
    assert list(Term.objects.values_list("name", flat=True)) == ["2027 Spring"]


def test_names_are_saved_with_their_spaces_tidied():
    assert spring(name="  2027   봄  ").term.name == "2027 봄"


# --- renaming ----------------------------------------------------------------------------------


def test_a_term_is_renamed():
    term = TermFactory(name="봄")
    scheduling.rename_term(term=term, name=" 2027 봄 ")
    term.refresh_from_db()
    assert term.name == "2027 봄"


def test_renaming_to_another_terms_name_is_refused_in_any_case():
    TermFactory(name="2027 Spring")
    term = TermFactory(name="Draft")
    with pytest.raises(ValidationError) as caught:
        scheduling.rename_term(term=term, name="2027 SPRING")
    assert codes(caught.value) == ["name_taken"]
    term.refresh_from_db()
    assert term.name == "Draft"


def test_a_term_may_change_the_case_of_its_own_name():
    term = TermFactory(name="2027 spring")
    assert scheduling.rename_term(term=term, name="2027 Spring").name == "2027 Spring"


# --- closing -----------------------------------------------------------------------------------


def _week(term: Term, starts_at: datetime, number: int) -> Week:
    return WeekFactory(
        term=term, number=number, starts_at=starts_at, review_deadline=starts_at - timedelta(days=1)
    )


def test_a_closed_term_leaves_the_board_and_the_week_form_but_not_the_archive():
    old = TermFactory(name="2026 가을", starts_on=date(2026, 9, 1), ends_on=date(2027, 3, 20))
    TopicFactory(week=_week(old, kst(2027, 2, 25, 19), 1))  # past: does not hold closing up
    empty_coming = _week(old, kst(2027, 3, 11, 19), 2)
    current = TermFactory(name="2027 봄", starts_on=date(2027, 3, 1))
    ours = _week(current, kst(2027, 3, 4, 19), 1)

    closed = scheduling.close_term(term=old)

    assert closed.is_closed
    assert list(scheduling.open_terms()) == [current]
    assert list(WeekBulkForm().fields["term"].queryset) == [current]
    assert [w.pk for w in scheduling.board_weeks()] == [ours.pk]
    assert [w.pk for w in scheduling.board_weeks(include_closed=True)] == [ours.pk, empty_coming.pk]
    assert empty_coming.pk in {w.pk for w in weeks_for_archive()}


def test_closing_is_refused_while_a_coming_week_has_topics():
    term = TermFactory(starts_on=date(2027, 3, 1))
    TopicFactory(week=_week(term, kst(2027, 3, 11, 19), 2))
    _week(term, kst(2027, 3, 18, 19), 3)  # empty: not named
    with pytest.raises(ValidationError) as caught:
        scheduling.close_term(term=term)
    assert codes(caught.value) == ["coming_topics"]
    assert "Weeks 2 of" in caught.value.messages[0]
    term.refresh_from_db()
    assert not term.is_closed


def test_a_term_is_closed_once_and_reopened():
    term = TermFactory()
    scheduling.close_term(term=term)
    with pytest.raises(ValidationError) as caught:
        scheduling.close_term(term=term)
    assert codes(caught.value) == ["already_closed"]
    scheduling.reopen_term(term=term)
    term.refresh_from_db()
    assert term.closed_at is None
    with pytest.raises(ValidationError) as caught:
        scheduling.reopen_term(term=term)
    assert codes(caught.value) == ["not_closed"]


def test_a_term_without_a_set_weekday_meets_on_its_first_days_weekday():
    term = TermFactory(starts_on=date(2027, 3, 2))
    assert term.weekday is None
    assert term.meeting_weekday == Term.Weekday.TUESDAY


def test_a_closed_term_takes_no_new_weeks_even_by_a_forged_post(organizer_client):
    term = TermFactory(starts_on=date(2027, 3, 1))
    scheduling.close_term(term=term)
    with pytest.raises(ValidationError) as caught:
        scheduling.create_week(term=term, starts_at=kst(2027, 3, 11, 19))
    assert codes(caught.value) == ["term_closed"]
    response = organizer_client.post(
        "/schedule/weeks/",
        {
            "term": term.pk,
            "first_date": "2027-03-11",
            "time": "19:00",
            "count": 1,
            "deadline_days_before": 1,
            "deadline_time": "23:59",
        },
    )
    assert response.status_code == 200  # the form is shown again: that term is not a choice
    assert not Week.objects.exists()


# --- editing a term's defaults (update_term) ---------------------------------------------------


def _edit(term: Term, **overrides) -> scheduling.TermUpdate:
    fields = {
        "name": term.name,
        "starts_on": term.starts_on,
        "ends_on": term.ends_on,
        "weekday": term.meeting_weekday,
        "meeting_time": term.meeting_time,
        "place": term.place,
        "online_url": term.online_url,
        "rule": term.deadline_rule,
        "apply_to_coming_weeks": False,
    }
    return scheduling.update_term(term=term, **{**fields, **overrides})


def _submitted_review(week: Week) -> None:
    ReviewFactory(
        slot__topic=TopicFactory(week=week),
        status="submitted",
        submitted_at=kst(2027, 3, 1, 12),
    )


def _week_fields(week: Week) -> tuple:
    week.refresh_from_db()
    return (week.starts_at, week.review_deadline, week.place, week.online_url)


def test_editing_a_term_changes_its_name_dates_and_defaults_but_no_week_unless_asked():
    term = spring().term
    before = [_week_fields(w) for w in Week.objects.order_by("number")]
    done = _edit(
        term,
        name=" 2027  봄학기 ",
        ends_on=date(2027, 6, 30),
        weekday=Term.Weekday.FRIDAY,
        meeting_time=time(18, 0),
        place="도서관 세미나실",
        online_url="https://meet.example.com/new",
        rule=DeadlineRule(days_before=1, at=time(12, 0)),
    )
    term.refresh_from_db()
    assert (term.name, term.ends_on, term.weekday, term.meeting_time, term.place) == (
        "2027 봄학기",
        date(2027, 6, 30),
        Term.Weekday.FRIDAY,
        time(18, 0),
        "도서관 세미나실",
    )
    assert (term.online_url, term.deadline_rule) == (
        "https://meet.example.com/new",
        DeadlineRule(days_before=1, at=time(12, 0)),
    )
    assert done.moved == [] and done.kept_submitted == [] and done.kept_started == []
    assert [_week_fields(w) for w in Week.objects.order_by("number")] == before


def test_applied_defaults_move_coming_weeks_but_not_past_ones_or_ones_with_a_submitted_review():
    term = spring(starts_on=date(2027, 2, 20)).term  # Thursdays 2-25 (past), 3-4 … 3-25
    weeks = {w.number: w for w in Week.objects.order_by("number")}
    assert local_dates(weeks.values())[0] == date(2027, 2, 25)
    _submitted_review(weeks[3])  # 3-11: a review is in
    ReviewFactory(slot__topic=TopicFactory(week=weeks[4]))  # 3-18: a draft only
    past, submitted = _week_fields(weeks[1]), _week_fields(weeks[3])

    done = _edit(
        term,
        weekday=Term.Weekday.FRIDAY,  # new weeks only: no week changes its date
        meeting_time=time(18, 0),
        place="도서관",
        online_url="https://meet.example.com/new",
        rule=DeadlineRule(days_before=0, at=time(12, 0)),
        apply_to_coming_weeks=True,
    )

    assert [w.number for w in done.moved] == [2, 4, 5]
    assert [w.number for w in done.kept_submitted] == [3]
    assert _week_fields(weeks[1]) == past
    assert _week_fields(weeks[3]) == submitted
    for number, day in ((2, 4), (4, 18), (5, 25)):
        assert _week_fields(weeks[number]) == (
            kst(2027, 3, day, 18, 0),
            kst(2027, 3, day, 12, 0),
            "도서관",
            "https://meet.example.com/new",
        )


def local_dates(weeks) -> list[date]:
    return [w.starts_at.astimezone(SEOUL).date() for w in weeks]


def test_applying_makes_coming_weeks_match_the_terms_defaults_even_when_none_changed():
    """Ticking the box later (after saving the new place without it) still moves the weeks;
    a week set apart by hand takes the term's place and link too."""
    term = spring().term
    week = Week.objects.get(number=2)
    week.place, week.online_url = "특별 장소", "https://meet.example.com/special"
    week.save()
    _edit(term, place="도서관")
    assert _week_fields(week)[2] == "특별 장소"
    term.refresh_from_db()
    done = _edit(term, apply_to_coming_weeks=True)
    assert [w.number for w in done.moved] == [1, 2, 3, 4]
    assert _week_fields(week) == (
        kst(2027, 3, 11, 19, 30),
        kst(2027, 3, 9, 22, 0),
        "도서관",
        "https://meet.example.com/seminar",
    )


def test_todays_week_is_not_moved_to_an_hour_already_gone():
    # fixed_clock: Wednesday 2027-03-03 10:00; the term meets on Wednesdays at 19:30.
    term = spring(weekday=Term.Weekday.WEDNESDAY, rule=DeadlineRule(days_before=1)).term
    today, later = Week.objects.order_by("number")[:2]
    assert today.starts_at == kst(2027, 3, 3, 19, 30)
    before = _week_fields(today)
    done = _edit(term, meeting_time=time(9, 0), apply_to_coming_weeks=True)
    assert [w.pk for w in done.kept_started] == [today.pk]
    assert _week_fields(today) == before
    assert _week_fields(later)[0] == kst(2027, 3, 10, 9, 0)


def test_new_first_and_last_days_that_leave_a_week_outside_are_refused_and_nothing_changes():
    term = spring().term
    for overrides in ({"ends_on": date(2027, 3, 20)}, {"starts_on": date(2027, 3, 5)}):
        with pytest.raises(ValidationError) as caught:
            _edit(term, name="바뀐 이름", place="도서관", **overrides)
        assert codes(caught.value) == ["weeks_outside"]
    term.refresh_from_db()
    assert (term.name, term.place, term.ends_on) == ("2027 봄", "공학관 301", date(2027, 3, 25))


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"name": " "}, "name_required"),
        ({"name": "2027 SPRING"}, "name_taken"),
        ({"ends_on": date(2027, 3, 1)}, "ends_before_start"),
        ({"weekday": 7}, "weekday"),
        ({"rule": DeadlineRule(days_before=15, at=time(23, 59))}, "deadline_days"),
        ({"rule": DeadlineRule(days_before=0, at=time(20, 0))}, "deadline_after_start"),
        ({"ends_on": date(2030, 1, 1)}, "too_long"),
    ],
)
def test_an_edit_that_breaks_a_rule_is_refused_and_nothing_is_written(overrides, code):
    TermFactory(name="2027 Spring")
    term = spring().term
    before = [_week_fields(w) for w in Week.objects.order_by("number")]
    with pytest.raises(ValidationError) as caught:
        _edit(term, place="도서관", apply_to_coming_weeks=True, **overrides)
    assert codes(caught.value) == [code]
    term.refresh_from_db()
    assert term.place == "공학관 301"
    assert [_week_fields(w) for w in Week.objects.order_by("number")] == before


def test_a_term_may_be_made_open_ended():
    term = spring().term
    _edit(term, ends_on=None)
    term.refresh_from_db()
    assert term.ends_on is None


def test_applying_touches_only_the_terms_own_weeks():
    term = spring().term
    other = TermFactory(name="다른 학기", starts_on=date(2027, 3, 1))
    theirs = _week(other, kst(2027, 3, 9, 19), 1)
    before = _week_fields(theirs)
    _edit(term, meeting_time=time(18, 0), place="도서관", apply_to_coming_weeks=True)
    assert _week_fields(theirs) == before


# --- the create-weeks form takes the term's defaults --------------------------------------------


def test_the_week_form_starts_a_week_after_the_terms_last_week_with_its_defaults():
    term = spring().term
    assert scheduling.week_form_defaults(term=term, today=TODAY) == {
        "first_date": date(2027, 4, 1),
        "time": time(19, 30),
        "place": "공학관 301",
        "online_url": "https://meet.example.com/seminar",
        "deadline_days_before": 2,
        "deadline_time": time(22, 0),
    }


def test_the_week_form_of_a_term_without_coming_weeks_starts_on_its_next_meeting_day():
    term = spring(
        skip_dates=scheduling.meeting_dates(
            starts_on=date(2027, 3, 2), ends_on=date(2027, 3, 25), weekday=THURSDAY
        )
    ).term
    assert scheduling.week_form_defaults(term=term, today=TODAY)["first_date"] == date(2027, 3, 4)
    later = TermFactory(name="여름", starts_on=date(2027, 6, 1), weekday=Term.Weekday.MONDAY)
    assert scheduling.week_form_defaults(term=later, today=TODAY)["first_date"] == date(2027, 6, 7)


def _week_form(term: Term, **fields) -> WeekBulkForm:
    data = {"term": term.pk, "first_date": "2027-03-04", "count": "1", "skip_dates": "", **fields}
    return WeekBulkForm(data)


def test_empty_week_form_fields_take_the_chosen_terms_defaults():
    term = spring(skip_dates=[date(2027, 3, 4)]).term
    form = _week_form(term)
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert (data["time"], data["place"], data["online_url"]) == (
        time(19, 30),
        "공학관 301",
        "https://meet.example.com/seminar",
    )
    assert (data["deadline_days_before"], data["deadline_time"]) == (2, time(22, 0))


def test_typed_week_form_fields_win_over_the_terms_and_a_zero_stays_zero():
    term = spring(skip_dates=[date(2027, 3, 4)]).term
    form = _week_form(
        term, time="18:00", place="도서관", deadline_days_before="0", deadline_time="12:00"
    )
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert (data["time"], data["place"], data["deadline_days_before"]) == (time(18), "도서관", 0)
    assert data["online_url"] == "https://meet.example.com/seminar"


def test_a_malformed_week_form_field_is_an_error_not_the_terms_default():
    term = spring(skip_dates=[date(2027, 3, 4)]).term
    form = _week_form(term, time="25:99")
    assert not form.is_valid()
    assert "time" in form.errors
