"""Integration tasks: thin, named, taking primitive ids; each imports its service inside.

Publishing and chat deliveries keep their state in the database (`PendingPublication`,
`ChatDelivery`), which decides whether and when to retry; a retry message the broker lost, or
a retry that cannot happen in-process, is picked up by the beat sweepers
(`integrations.sync_repositories`, `integrations.send_due_chat`).
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from seminar.lib.queue import enqueue


@shared_task(bind=True, name="integrations.publish_week", max_retries=None)
def publish_week(self, connection_id: int, week_id: int) -> str:
    from seminar.integrations import publishing

    result = publishing.publish_week(connection_id=connection_id, week_id=week_id)
    if result.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=result.retry_in)
    return result.outcome


@shared_task(name="integrations.sync_repositories")
def sync_repositories() -> None:
    """Beat: publish every week whose publication is due (new, or waiting after a failure)."""
    from seminar.integrations import publishing

    for connection_id, week_id in publishing.due_publications(timezone.now()):
        enqueue(publish_week, connection_id, week_id)


@shared_task(name="integrations.check_repository")
def check_repository(connection_id: int) -> None:
    from seminar.integrations import publishing

    publishing.check_repository(connection_id=connection_id)


@shared_task(name="integrations.fetch_repositories")
def fetch_repositories() -> None:
    """Beat: look for edits made in every enabled repository."""
    from seminar.models import RepositoryConnection

    for connection_id in RepositoryConnection.objects.filter(enabled=True).values_list(
        "pk", flat=True
    ):
        enqueue(check_repository, connection_id)


@shared_task(bind=True, name="integrations.deliver_chat", max_retries=None)
def deliver_chat(self, delivery_id: int) -> str:
    from seminar.integrations import chat

    result = chat.deliver(delivery_id)
    if result.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=result.retry_in)
    return result.outcome


@shared_task(name="integrations.send_due_chat")
def send_due_chat() -> None:
    """Beat: messages waiting for their retry time, and ones whose worker died."""
    from seminar.integrations import chat

    for delivery_id in chat.due_deliveries(timezone.now()):
        enqueue(deliver_chat, delivery_id)


def _fan_out(delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        enqueue(deliver_chat, delivery_id)


@shared_task(name="integrations.announce")
def announce(event: str, object_id: int) -> None:
    """One event for the chat channels: "assignment" (a change id), "review" (a review id),
    "import_errors" (a digest id), "brief" (a week id)."""
    from seminar.integrations import events

    builders = {
        "assignment": lambda: events.announce_assignment(change_id=object_id),
        "review": lambda: events.announce_review(review_id=object_id),
        "import_errors": lambda: events.announce_import_errors(digest_id=object_id),
        "brief": lambda: events.announce_brief(week_id=object_id),
    }
    if event in builders:
        _fan_out(builders[event]())


@shared_task(name="integrations.send_weekly_brief")
def send_weekly_brief() -> None:
    """Beat (weekly): the coming week's brief to every channel that chose it."""
    from seminar.integrations import events

    _fan_out(events.announce_weekly_brief(now=timezone.now()))


@shared_task(name="integrations.send_deadline_nudges")
def send_deadline_nudges() -> None:
    """Beat (hourly): weeks whose reviews are due within a day and still missing some."""
    from seminar.integrations import events

    _fan_out(events.announce_nudges(now=timezone.now()))
