"""Reads for the integrations pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q

from seminar.models import (
    ChatChannel,
    ChatDelivery,
    IncomingChange,
    PendingPublication,
    RepositoryConnection,
)


def overview() -> dict[str, Any]:
    """Repositories with what they owe and what came back; channels with their problems."""
    pending = PendingPublication.objects.select_related("week__term").order_by("week__starts_at")
    changes = IncomingChange.objects.filter(status=IncomingChange.Status.OPEN).select_related(
        "week__term"
    )
    repositories = RepositoryConnection.objects.prefetch_related(
        Prefetch("pending_publications", queryset=pending, to_attr="pending"),
        Prefetch("incoming_changes", queryset=changes, to_attr="open_changes"),
    ).annotate(published_count=Count("published_pages", distinct=True))
    channels = ChatChannel.objects.annotate(
        sent_count=Count("deliveries", filter=Q(deliveries__status=ChatDelivery.Status.SENT)),
        waiting_count=Count(
            "deliveries",
            filter=Q(
                deliveries__status__in=[ChatDelivery.Status.PENDING, ChatDelivery.Status.SENDING]
            ),
        ),
    )
    gave_up = ChatDelivery.objects.filter(status=ChatDelivery.Status.GAVE_UP).select_related(
        "channel"
    )[:50]
    waiting = (
        ChatDelivery.objects.filter(status=ChatDelivery.Status.PENDING)
        .exclude(last_error="")
        .select_related("channel")[:50]
    )
    return {
        "repositories": list(repositories),
        "channels": list(channels),
        "gave_up": list(gave_up),
        "retrying": list(waiting),
        "event_labels": dict(ChatChannel.Event.choices),
    }
