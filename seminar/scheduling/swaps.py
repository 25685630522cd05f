"""Swaps and substitutes: a presenter or reviewer who cannot make it offers the role, another
member takes it (or asks to, when the week wants an organizer to approve each taking).

The rules are plain functions: `offer_refusal` / `take_refusal` say why not (None: allowed),
`can_*` are the predicates views and templates use, and the services (`offer_role`,
`take_offer`, `withdraw_offer`, `approve_take`, `decline_take`) each run in one transaction
and check the rules again there, on locked rows. The role changes hands through
`assign_reviewer` / `assign_presenter` with the reason "swap", so the change history records
it and the assignment emails, calendar feeds and reminders follow the new holder.

Two members taking one offer at once: the offer's row is locked (`SELECT … FOR UPDATE`), so
the second waits for the first to commit, then finds it taken and is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from seminar.conflicts import PRESENTER, REVIEWER, check_same_week, same_week_conflict
from seminar.models import AssignmentChange, ReviewerSlot, SlotOffer, Topic, User, Week
from seminar.permissions import is_member, is_organizer
from seminar.scheduling.people import assign_presenter, assign_reviewer

SWAP = AssignmentChange.Reason.SWAP.value
Status = SlotOffer.Status


# --- reads ----------------------------------------------------------------------------------


def _offers() -> QuerySet[SlotOffer]:
    return SlotOffer.objects.select_related(
        "topic__week__term", "topic__presenter", "slot__reviewer", "offered_by", "taker"
    )


def holds_role(offer: SlotOffer) -> bool:
    """Whether the member who offered the role still holds it (a release or an organizer's
    change since makes the offer stale)."""
    if offer.role == PRESENTER:
        return offer.topic.presenter_id == offer.offered_by_id
    return offer.slot is not None and offer.slot.reviewer_id == offer.offered_by_id


def live_offers(*, now: datetime | None = None, weeks: Iterable[Week] | None = None):
    """Open and pending offers of weeks still to come whose holder still holds the role,
    soonest first (the swaps page, the week page)."""
    now = now or timezone.now()
    offers = _offers().filter(status__in=SlotOffer.LIVE, topic__week__starts_at__gt=now)
    if weeks is not None:
        offers = offers.filter(topic__week__in=[w.pk for w in weeks])
    offers = offers.order_by("topic__week__starts_at", "topic__order", "slot__number", "pk")
    return [offer for offer in offers if holds_role(offer)]


def offer_key(offer: SlotOffer) -> str:
    return f"presenter-{offer.topic_id}" if offer.role == PRESENTER else f"slot-{offer.slot_id}"


def week_offers(week: Week, *, now: datetime | None = None) -> dict[str, SlotOffer]:
    """The week's live offers by role (`offer_key`), in one query."""
    return {offer_key(o): o for o in live_offers(now=now, weeks=[week])}


def recent_offers_of(member: User, *, now: datetime | None = None) -> list[SlotOffer]:
    """The member's own live offers and the ones they asked to take (the dashboard)."""
    now = now or timezone.now()
    offers = (
        _offers()
        .filter(status__in=SlotOffer.LIVE, topic__week__starts_at__gt=now)
        .filter(Q(offered_by=member) | Q(taker=member))
        .order_by("topic__week__starts_at", "pk")
    )
    return [offer for offer in offers if holds_role(offer)]


# --- the rules ------------------------------------------------------------------------------


def _role_deadline(*, week: Week, role: str) -> datetime:
    """Until when a role can change hands: a review until its deadline, a talk until the
    meeting starts."""
    return week.review_deadline if role == REVIEWER else week.starts_at


def offer_refusal(
    user: User, *, topic: Topic, slot: ReviewerSlot | None, now: datetime | None = None
) -> str | None:
    """Why `user` may not offer this role (None: they may). Only its holder offers it,
    before its deadline; a slot with a submitted review stays with its reviewer."""
    now = now or timezone.now()
    if not is_member(user):
        return _("Sign in as a member.")
    role = REVIEWER if slot is not None else PRESENTER
    holder = slot.reviewer_id if slot is not None else topic.presenter_id
    if holder != user.pk:
        return _("Only the member who holds this role can offer it.")
    if now >= _role_deadline(week=topic.week, role=role):
        if role == REVIEWER:
            return _("The review deadline has passed; ask an organizer to change reviewers.")
        return _("This week has already taken place.")
    if slot is not None:
        review = slot.current_review
        if review is not None and review.is_submitted:
            return _("You submitted a review for this slot, so it stays yours.")
    return None


def take_refusal(user: User, offer: SlotOffer, *, now: datetime | None = None) -> str | None:
    """Why `user` may not take (or ask to take) the offered role; None: they may.

    Not their own offer; only an open one, whose holder still holds the role, before its
    deadline; a reviewer slot not of a topic they present or already review; the presenter
    role not of a topic they review; no same-week conflict the week refuses
    (`seminar.conflicts`)."""
    now = now or timezone.now()
    if not is_member(user):
        return _("Sign in as a member.")
    if offer.status != Status.OPEN:
        return _("This offer is no longer open.")
    if offer.offered_by_id == user.pk:
        return _("This is your own offer.")
    if not holds_role(offer):
        return _("This offer is out of date: the role has changed hands since.")
    topic = offer.topic
    if now >= _role_deadline(week=topic.week, role=offer.role):
        return _("It is too late to take this role.")
    reviews_topic = ReviewerSlot.objects.filter(topic=topic, reviewer=user).exists()
    if offer.role == REVIEWER:
        if topic.presenter_id == user.pk:
            return _("You present this topic, so you cannot review it.")
        if reviews_topic:
            return _("You already review this topic in another slot.")
    elif reviews_topic:
        return _("You review this topic, so you cannot present it.")
    conflict = same_week_conflict(member=user, week=topic.week, role=offer.role)
    if conflict is not None and conflict.refused:
        return conflict.message
    return None


def can_offer(
    user: User, *, topic: Topic, slot: ReviewerSlot | None, now: datetime | None = None
) -> bool:
    return offer_refusal(user, topic=topic, slot=slot, now=now) is None


def can_take(user: User, offer: SlotOffer, *, now: datetime | None = None) -> bool:
    return take_refusal(user, offer, now=now) is None


def can_withdraw(user: User, offer: SlotOffer) -> bool:
    """Its holder withdraws a live offer; an organizer cancels it."""
    if not is_member(user) or offer.status not in SlotOffer.LIVE:
        return False
    return offer.offered_by_id == user.pk or is_organizer(user)


def can_decide(user: User, offer: SlotOffer) -> bool:
    """Organizers approve or decline a pending taking."""
    return offer.status == Status.PENDING and is_organizer(user)


# --- writes ---------------------------------------------------------------------------------


def _refuse(reason: str | None, code: str) -> None:
    if reason is not None:
        raise ValidationError(reason, code=code)


def _locked_offer(offer: SlotOffer) -> SlotOffer:
    return (
        SlotOffer.objects.select_for_update(of=("self",))
        .select_related("topic__week", "topic__presenter", "slot__reviewer", "offered_by", "taker")
        .get(pk=offer.pk)
    )


@transaction.atomic
def offer_role(
    *,
    member: User,
    topic: Topic,
    slot: ReviewerSlot | None = None,
    note: str = "",
    now: datetime | None = None,
) -> SlotOffer:
    """Offer a reviewer slot (`slot`) or the topic's presenter role (no slot) to the group.

    One live offer per role (a database constraint): offering again returns the live one.
    Offers left behind by an earlier holder are withdrawn first.
    """
    now = now or timezone.now()
    if slot is not None:
        slot = (
            ReviewerSlot.objects.select_for_update(of=("self",))
            .select_related("topic__week", "reviewer", "review")
            .get(pk=slot.pk)
        )
        topic = slot.topic
    else:
        topic = (
            Topic.objects.select_for_update(of=("self",)).select_related("week").get(pk=topic.pk)
        )
    _refuse(offer_refusal(member, topic=topic, slot=slot, now=now), "not_allowed")
    role = REVIEWER if slot is not None else PRESENTER
    same_role = SlotOffer.objects.filter(status__in=SlotOffer.LIVE, topic=topic, role=role)
    if slot is not None:
        same_role = same_role.filter(slot=slot)
    # Stale: made by someone who no longer holds the role.
    same_role.exclude(offered_by=member).update(
        status=Status.WITHDRAWN, decided_at=now, decided_by=None
    )
    existing = same_role.filter(offered_by=member).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return SlotOffer.objects.create(
                topic=topic,
                slot=slot,
                role=role,
                offered_by=member,
                note=" ".join(note.split())[:200],
                created_at=now,
            )
    except IntegrityError as error:  # the same offer made concurrently
        raise ValidationError(_("This role is already offered."), code="offered") from error


def _hand_over(*, offer: SlotOffer, taker: User, actor: User) -> None:
    """Give the offered role to `taker`, recorded as a swap (the emails follow from it)."""
    if offer.role == REVIEWER:
        assign_reviewer(
            slot=offer.slot, member=taker, actor=actor, expected=offer.offered_by_id, reason=SWAP
        )
    else:
        check_same_week(member=taker, week=offer.topic.week, role=PRESENTER, actor=actor)
        assign_presenter(
            topic=offer.topic,
            member=taker,
            actor=actor,
            expected=offer.offered_by_id,
            reason=SWAP,
        )


@transaction.atomic
def take_offer(*, offer: SlotOffer, member: User, now: datetime | None = None) -> SlotOffer:
    """Take the offered role. In a week whose swaps are open it changes hands now (status
    "taken"); in a week where an organizer approves, the taking waits ("pending").

    Of two members taking at once exactly one wins: the offer's row is locked, and the
    second finds it no longer open.
    """
    now = now or timezone.now()
    offer = _locked_offer(offer)
    _refuse(take_refusal(member, offer, now=now), "not_allowed")
    week = offer.topic.week
    # A conflict the week refuses stops the taking now, not only at the approval.
    check_same_week(member=member, week=week, role=offer.role, actor=member)
    offer.taker = member
    offer.taken_at = now
    if week.swap_policy == Week.SwapPolicy.APPROVE:
        offer.status = Status.PENDING
        offer.save(update_fields=["taker", "taken_at", "status"])
        return offer
    _hand_over(offer=offer, taker=member, actor=member)
    offer.status = Status.TAKEN
    offer.save(update_fields=["taker", "taken_at", "status"])
    return offer


@transaction.atomic
def withdraw_offer(*, offer: SlotOffer, actor: User, now: datetime | None = None) -> SlotOffer:
    """Its holder takes the offer back, or an organizer cancels it (a pending taking with
    it); the role stays where it is."""
    now = now or timezone.now()
    offer = _locked_offer(offer)
    if offer.status not in SlotOffer.LIVE:
        raise ValidationError(_("This offer is no longer open."), code="not_open")
    if not can_withdraw(actor, offer):
        raise ValidationError(_("Only its holder or an organizer can withdraw it."), code="denied")
    offer.status = Status.WITHDRAWN
    offer.decided_by = actor
    offer.decided_at = now
    offer.save(update_fields=["status", "decided_by", "decided_at"])
    return offer


@transaction.atomic
def approve_take(*, offer: SlotOffer, actor: User, now: datetime | None = None) -> SlotOffer:
    """An organizer lets the pending taker have the role: it changes hands now, with every
    rule checked again (things may have changed since it was asked)."""
    now = now or timezone.now()
    offer = _locked_offer(offer)
    if not can_decide(actor, offer):
        raise ValidationError(_("Only a pending taking can be approved."), code="not_pending")
    taker = offer.taker
    if taker is None or not taker.is_active:
        raise ValidationError(_("The member who asked is no longer active."), code="inactive")
    # The rules as for taking, on the offer as if it were still open.
    offer.status = Status.OPEN
    _refuse(take_refusal(taker, offer, now=now), "not_allowed")
    _hand_over(offer=offer, taker=taker, actor=actor)
    offer.status = Status.TAKEN
    offer.decided_by = actor
    offer.decided_at = now
    offer.save(update_fields=["status", "decided_by", "decided_at"])
    return offer


@transaction.atomic
def decline_take(*, offer: SlotOffer, actor: User, now: datetime | None = None) -> SlotOffer:
    """An organizer turns the pending taking down; the role stays with its holder."""
    now = now or timezone.now()
    offer = _locked_offer(offer)
    if not can_decide(actor, offer):
        raise ValidationError(_("Only a pending taking can be declined."), code="not_pending")
    offer.status = Status.DECLINED
    offer.decided_by = actor
    offer.decided_at = now
    offer.save(update_fields=["status", "decided_by", "decided_at"])
    return offer
