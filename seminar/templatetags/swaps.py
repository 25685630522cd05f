"""Template helpers for swaps (#13): a week's live offers in one query, and the rules of
`seminar.scheduling.swaps` as filters, so the week page shows each member the buttons the
server would accept (and the server checks again)."""

from __future__ import annotations

from typing import Any

from django import template

from seminar.models import ReviewerSlot, SlotOffer, Topic, Week
from seminar.scheduling import swaps

register = template.Library()


@register.simple_tag
def week_offers(week: Week) -> dict[str, SlotOffer]:
    return swaps.week_offers(week)


@register.filter
def offer_for_slot(offers: dict[str, SlotOffer], slot: ReviewerSlot) -> SlotOffer | None:
    return (offers or {}).get(f"slot-{slot.pk}")


@register.filter
def offer_for_presenter(offers: dict[str, SlotOffer], topic: Topic) -> SlotOffer | None:
    return (offers or {}).get(f"presenter-{topic.pk}")


@register.filter
def can_offer_slot(user: Any, slot: ReviewerSlot) -> bool:
    return swaps.can_offer(user, topic=slot.topic, slot=slot)


@register.filter
def can_offer_presenter(user: Any, topic: Topic) -> bool:
    return swaps.can_offer(user, topic=topic, slot=None)


@register.filter
def take_refusal(user: Any, offer: SlotOffer) -> str:
    """Why this member cannot take the offer ("" if they can)."""
    return swaps.take_refusal(user, offer) or ""


@register.filter
def can_withdraw_offer(user: Any, offer: SlotOffer) -> bool:
    return swaps.can_withdraw(user, offer)


@register.filter
def can_decide_offer(user: Any, offer: SlotOffer) -> bool:
    return swaps.can_decide(user, offer)


@register.simple_tag
def member_offers(user: Any) -> dict[str, SlotOffer]:
    """The member's own live offers by role (`offer_key`), in one query (the dashboard)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return {
        swaps.offer_key(offer): offer
        for offer in swaps.recent_offers_of(user)
        if offer.offered_by_id == user.pk
    }


@register.simple_tag
def week_swap_form(week: Week):
    from seminar.scheduling.forms import WeekSwapPolicyForm

    return WeekSwapPolicyForm(instance=week, auto_id=f"id_swap{week.pk}_%s")
