"""Swaps and substitutes: the rules as plain functions, the services, and what follows a swap
(the change history, both emails, calendar feeds and reminders)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from icalendar import Calendar

from reviews.models import Review
from seminar.models import AssignmentChange, SlotOffer, Week
from seminar.reminders.planning import due_deadline_reminders
from seminar.reports import calendar as ical
from seminar.scheduling import swaps
from tests.conftest import FIXED_INSTANT
from tests.factories import ReviewerSlotFactory, TopicFactory, UserFactory, WeekFactory
from tests.support import postgres_only

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_clock")]

NOW = FIXED_INSTANT


def week_in(days: int, **fields) -> Week:
    starts = NOW + timedelta(days=days, hours=9)  # 19:00 Seoul
    return WeekFactory(starts_at=starts, review_deadline=starts - timedelta(hours=20), **fields)


@pytest.fixture
def people(db):
    return {
        name: UserFactory(email=f"{name}@example.com", name=name, language=lang)
        for name, lang in (("holder", "en"), ("taker", "ko"), ("speaker", "en"), ("third", "en"))
    }


@pytest.fixture
def week(db):
    return week_in(7)


@pytest.fixture
def slot(week, people):
    topic = TopicFactory(week=week, order=1, presenter=people["speaker"], title="Mamba")
    return ReviewerSlotFactory(topic=topic, number=1, reviewer=people["holder"])


def changes(topic) -> list[tuple[str, str, bool, str]]:
    return [
        (c.member.name, c.role, c.assigned, c.reason)
        for c in AssignmentChange.objects.filter(topic=topic).order_by("pk")
    ]


# --- the rules as plain functions -------------------------------------------------------------


def test_only_the_holder_may_offer_a_slot(slot, people):
    assert swaps.offer_refusal(people["holder"], topic=slot.topic, slot=slot) is None
    for other in ("taker", "speaker"):
        assert swaps.offer_refusal(people[other], topic=slot.topic, slot=slot) == (
            "Only the member who holds this role can offer it."
        )


def test_only_the_presenter_may_offer_the_presenter_role(slot, people):
    topic = slot.topic
    assert swaps.can_offer(people["speaker"], topic=topic, slot=None)
    assert not swaps.can_offer(people["holder"], topic=topic, slot=None)


def test_a_slot_cannot_be_offered_after_its_deadline_or_with_a_submitted_review(slot, people):
    late = slot.topic.week.review_deadline + timedelta(minutes=1)
    assert "deadline has passed" in swaps.offer_refusal(
        people["holder"], topic=slot.topic, slot=slot, now=late
    )
    Review.objects.create(
        slot=slot, author=people["holder"], status=Review.Status.SUBMITTED, submitted_at=NOW
    )
    slot.refresh_from_db()
    assert swaps.offer_refusal(people["holder"], topic=slot.topic, slot=slot) == (
        "You submitted a review for this slot, so it stays yours."
    )


def test_take_refusal_names_why(slot, people):
    offer = swaps.offer_role(member=people["holder"], topic=slot.topic, slot=slot)
    assert swaps.take_refusal(people["taker"], offer) is None
    assert swaps.take_refusal(people["holder"], offer) == "This is your own offer."
    assert swaps.take_refusal(people["speaker"], offer) == (
        "You present this topic, so you cannot review it."
    )
    ReviewerSlotFactory(topic=slot.topic, number=2, reviewer=people["third"])
    assert swaps.take_refusal(people["third"], offer) == (
        "You already review this topic in another slot."
    )
    too_late = slot.topic.week.review_deadline
    assert swaps.take_refusal(people["taker"], offer, now=too_late) == (
        "It is too late to take this role."
    )


def test_a_reviewer_of_the_topic_cannot_take_its_presenter_role(slot, people):
    offer = swaps.offer_role(member=people["speaker"], topic=slot.topic)
    assert swaps.take_refusal(people["holder"], offer) == (
        "You review this topic, so you cannot present it."
    )
    assert swaps.take_refusal(people["taker"], offer) is None


def test_an_offer_that_is_not_open_cannot_be_taken(slot, people):
    offer = swaps.offer_role(member=people["holder"], topic=slot.topic, slot=slot)
    swaps.withdraw_offer(offer=offer, actor=people["holder"])
    offer.refresh_from_db()
    assert swaps.take_refusal(people["taker"], offer) == "This offer is no longer open."
    with pytest.raises(ValidationError) as refused:
        swaps.take_offer(offer=offer, member=people["taker"])
    assert refused.value.code == "not_allowed"
    slot.refresh_from_db()
    assert slot.reviewer == people["holder"]


def test_withdraw_and_decide_predicates(slot, people, organizer):
    offer = swaps.offer_role(member=people["holder"], topic=slot.topic, slot=slot)
    assert swaps.can_withdraw(people["holder"], offer)
    assert swaps.can_withdraw(organizer, offer)
    assert not swaps.can_withdraw(people["taker"], offer)
    assert not swaps.can_decide(organizer, offer)  # open, not pending
    offer.status = SlotOffer.Status.PENDING
    assert swaps.can_decide(organizer, offer)
    assert not swaps.can_decide(people["holder"], offer)


# --- services ---------------------------------------------------------------------------------


def test_offering_twice_gives_the_same_live_offer(slot, people):
    first = swaps.offer_role(member=people["holder"], topic=slot.topic, slot=slot, note=" busy ")
    second = swaps.offer_role(member=people["holder"], topic=slot.topic, slot=slot)
    assert first.pk == second.pk
    assert first.note == "busy"
    assert SlotOffer.objects.count() == 1


def test_offering_someone_elses_slot_is_refused(slot, people):
    with pytest.raises(ValidationError):
        swaps.offer_role(member=people["taker"], topic=slot.topic, slot=slot)
    assert not SlotOffer.objects.exists()


def test_taking_an_open_offer_hands_the_slot_over_as_a_swap(
    slot, people, django_capture_on_commit_callbacks
):
    offer = swaps.offer_role(member=people["holder"], topic=slot.topic, slot=slot)
    with django_capture_on_commit_callbacks(execute=False):
        taken = swaps.take_offer(offer=offer, member=people["taker"])
    assert taken.status == SlotOffer.Status.TAKEN
    assert taken.taker == people["taker"]
    slot.refresh_from_db()
    assert slot.reviewer == people["taker"]
    assert changes(slot.topic) == [
        ("holder", "reviewer", False, "swap"),
        ("taker", "reviewer", True, "swap"),
    ]
    assert AssignmentChange.objects.filter(actor=people["taker"]).count() == 2


def test_the_old_holders_draft_goes_with_the_slot(slot, people):
    Review.objects.create(slot=slot, author=people["holder"])
    offer = swaps.offer_role(member=people["holder"], topic=slot.topic, slot=slot)
    swaps.take_offer(offer=offer, member=people["taker"])
    assert not Review.objects.filter(slot=slot).exists()


def test_taking_the_presenter_role(slot, people):
    offer = swaps.offer_role(member=people["speaker"], topic=slot.topic)
    swaps.take_offer(offer=offer, member=people["taker"])
    slot.topic.refresh_from_db()
    assert slot.topic.presenter == people["taker"]
    assert ("taker", "presenter", True, "swap") in changes(slot.topic)


def test_an_approving_week_keeps_the_taking_pending_until_an_organizer_approves(people, organizer):
    week = week_in(7, swap_policy=Week.SwapPolicy.APPROVE)
    topic = TopicFactory(week=week, presenter=people["speaker"])
    slot = ReviewerSlotFactory(topic=topic, number=1, reviewer=people["holder"])
    offer = swaps.offer_role(member=people["holder"], topic=topic, slot=slot)
    pending = swaps.take_offer(offer=offer, member=people["taker"])
    assert pending.status == SlotOffer.Status.PENDING
    slot.refresh_from_db()
    assert slot.reviewer == people["holder"]  # still theirs
    with pytest.raises(ValidationError):
        swaps.approve_take(offer=offer, actor=people["third"])  # a member cannot approve
    approved = swaps.approve_take(offer=offer, actor=organizer)
    assert (approved.status, approved.decided_by) == (SlotOffer.Status.TAKEN, organizer)
    slot.refresh_from_db()
    assert slot.reviewer == people["taker"]
    assert AssignmentChange.objects.filter(actor=organizer, reason="swap").count() == 2


def test_a_declined_taking_leaves_the_role_with_its_holder(people, organizer):
    week = week_in(7, swap_policy=Week.SwapPolicy.APPROVE)
    topic = TopicFactory(week=week, presenter=people["speaker"])
    offer = swaps.offer_role(member=people["speaker"], topic=topic)
    swaps.take_offer(offer=offer, member=people["taker"])
    declined = swaps.decline_take(offer=offer, actor=organizer)
    assert declined.status == SlotOffer.Status.DECLINED
    topic.refresh_from_db()
    assert topic.presenter == people["speaker"]
    assert not AssignmentChange.objects.filter(topic=topic).exists()


def test_a_stale_offer_cannot_be_taken_and_the_new_holder_may_offer(slot, people, organizer):
    from seminar import scheduling

    offer = swaps.offer_role(member=people["holder"], topic=slot.topic, slot=slot)
    scheduling.assign_reviewer(slot=slot, member=people["third"], actor=organizer)
    offer.refresh_from_db()
    assert "out of date" in swaps.take_refusal(people["taker"], offer)
    assert swaps.live_offers() == []
    fresh = swaps.offer_role(member=people["third"], topic=slot.topic, slot=slot)
    offer.refresh_from_db()
    assert offer.status == SlotOffer.Status.WITHDRAWN
    assert fresh.status == SlotOffer.Status.OPEN


def test_live_offers_lists_open_and_pending_of_coming_weeks(slot, people):
    past = WeekFactory(starts_at=NOW - timedelta(days=2), review_deadline=NOW - timedelta(days=3))
    old_topic = TopicFactory(week=past, presenter=people["third"])
    SlotOffer.objects.create(topic=old_topic, role="presenter", offered_by=people["third"])
    offer = swaps.offer_role(member=people["holder"], topic=slot.topic, slot=slot)
    assert [o.pk for o in swaps.live_offers()] == [offer.pk]
    assert swaps.week_offers(slot.topic.week) == {f"slot-{slot.pk}": offer}


# --- what follows a swap: emails, calendar, reminders -----------------------------------------


def test_both_sides_get_an_email_in_their_language(
    slot, people, django_capture_on_commit_callbacks, mailoutbox
):
    offer = swaps.offer_role(member=people["holder"], topic=slot.topic, slot=slot)
    with django_capture_on_commit_callbacks(execute=True):
        swaps.take_offer(offer=offer, member=people["taker"])
    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert sorted(by_recipient) == ["holder@example.com", "taker@example.com"]
    old = by_recipient["holder@example.com"]
    assert old.subject.startswith("[Seminar] You no longer review")
    assert "taker took this role over from you (a swap)." in old.body
    new = by_recipient["taker@example.com"]  # Korean
    assert "리뷰어로 배정되었습니다" in new.subject
    assert "holder님에게서 이 역할을 넘겨받았습니다" in new.body


def _uids(member) -> set[str]:
    weeks = ical.feed_weeks(NOW)
    feed = Calendar.from_ical(ical.member_feed(weeks=weeks, member=member, now=NOW))
    return {str(event["uid"]) for event in feed.walk("VEVENT")}


def test_the_calendar_deadline_moves_to_the_new_holder(slot, people):
    before = _uids(people["holder"])
    assert any(uid.startswith(f"review-{slot.pk}-member-{people['holder'].pk}@") for uid in before)
    offer = swaps.offer_role(member=people["holder"], topic=slot.topic, slot=slot)
    swaps.take_offer(offer=offer, member=people["taker"])
    assert not any(uid.startswith(f"review-{slot.pk}-") for uid in _uids(people["holder"]))
    assert any(
        uid.startswith(f"review-{slot.pk}-member-{people['taker'].pk}@")
        for uid in _uids(people["taker"])
    )


def test_deadline_reminders_go_to_the_new_holder(slot, people):
    offer = swaps.offer_role(member=people["holder"], topic=slot.topic, slot=slot)
    swaps.take_offer(offer=offer, member=people["taker"])
    one_day_before = slot.topic.week.review_deadline - timedelta(hours=23)
    recipients = {due.recipient.email for due in due_deadline_reminders(one_day_before)}
    assert "taker@example.com" in recipients
    assert "holder@example.com" not in recipients


# --- concurrency ------------------------------------------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_members_taking_one_offer_at_once_exactly_one_wins(slot, people):
    offer = swaps.offer_role(member=people["holder"], topic=slot.topic, slot=slot)
    takers = [people["taker"], people["third"]]
    barrier = threading.Barrier(len(takers))
    outcomes: dict[str, str] = {}

    def take(member) -> None:
        try:
            barrier.wait(timeout=10)
            swaps.take_offer(offer=offer, member=member)
            outcomes[member.name] = "won"
        except ValidationError as error:
            outcomes[member.name] = error.code or "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(m,)) for m in takers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["not_allowed", "won"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "won")
    slot.refresh_from_db()
    offer.refresh_from_db()
    assert slot.reviewer.name == winner
    assert (offer.status, offer.taker.name) == (SlotOffer.Status.TAKEN, winner)
    assert AssignmentChange.objects.filter(reason="swap", assigned=True).count() == 1


def test_week_defaults_come_from_the_settings(settings):
    settings.SEMINAR_SWAP_POLICY = "approve"
    settings.SEMINAR_SAME_WEEK_POLICY = "warn"
    week = WeekFactory(starts_at=datetime(2027, 4, 1, 10, tzinfo=NOW.tzinfo))
    assert (week.swap_policy, week.same_week_policy) == ("approve", "warn")


# --- views ------------------------------------------------------------------------------------


def test_an_organizer_sets_a_weeks_swap_rules_on_its_page(organizer_client, week):
    html = organizer_client.get(week.get_absolute_url()).content.decode()
    assert "data-save-swap-rules" in html
    response = organizer_client.post(
        reverse("week_swap_policy", args=[week.pk]),
        {"swap_policy": "approve", "same_week_policy": "warn"},
    )
    assert response["Location"].endswith("#swap-rules")
    week.refresh_from_db()
    assert (week.swap_policy, week.same_week_policy) == ("approve", "warn")


def test_members_do_not_see_the_swap_rules_form(member_client, week):
    assert "data-save-swap-rules" not in member_client.get(week.get_absolute_url()).content.decode()


def test_the_week_page_offers_the_holder_an_offer_form_and_others_the_take_button(
    client, slot, people
):
    client.force_login(people["holder"])
    html = client.get(slot.topic.week.get_absolute_url()).content.decode()
    assert f'data-offer-open="slot-{slot.pk}"' in html
    client.post(reverse("swap_offer_slot", args=[slot.pk]), {"note": "출장"})
    offer = SlotOffer.objects.get()
    html = client.get(slot.topic.week.get_absolute_url()).content.decode()
    assert f'data-withdraw="{offer.pk}"' in html
    assert f'data-take="{offer.pk}"' not in html
    client.force_login(people["taker"])
    html = client.get(slot.topic.week.get_absolute_url()).content.decode()
    assert f'data-take="{offer.pk}"' in html
    assert "출장" in html
    client.force_login(people["speaker"])  # presents the topic: told why not
    html = client.get(slot.topic.week.get_absolute_url()).content.decode()
    assert f'data-take-refused="{offer.pk}"' in html


def test_the_dashboard_offers_and_withdraws(client, slot, people):
    client.force_login(people["holder"])
    html = client.get(reverse("home")).content.decode()
    assert f'data-offer-dashboard="swap_offer_slot-{slot.pk}"' in html
    client.post(reverse("swap_offer_slot", args=[slot.pk]), {"next": "/"})
    offer = SlotOffer.objects.get()
    html = client.get(reverse("home")).content.decode()
    assert f'data-my-offer="{offer.pk}"' in html
    client.post(reverse("swap_withdraw", args=[offer.pk]))
    offer.refresh_from_db()
    assert offer.status == SlotOffer.Status.WITHDRAWN


def test_a_swap_the_broker_missed_is_mailed_by_the_sweep_to_both_sides(
    slot, people, django_capture_on_commit_callbacks
):
    from seminar.reminders.delivery import pending_assignment_changes

    offer = swaps.offer_role(member=people["holder"], topic=slot.topic, slot=slot)
    with django_capture_on_commit_callbacks(execute=False):  # the broker never heard of it
        swaps.take_offer(offer=offer, member=people["taker"])
    swap_changes = set(AssignmentChange.objects.values_list("pk", flat=True))
    assert set(pending_assignment_changes(NOW + timedelta(minutes=5))) == swap_changes
    # A member's own claim (no swap) is still not mailed to them.
    own = ReviewerSlotFactory(topic=slot.topic, number=2)
    from reviews import services as review_services

    with django_capture_on_commit_callbacks(execute=False):
        review_services.claim_slot(slot=own, member=people["third"])
    assert set(pending_assignment_changes(NOW + timedelta(minutes=5))) == swap_changes
