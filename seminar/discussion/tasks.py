"""Discussion tasks: thin, named, taking primitive ids (services import them at the top; they
import the services inside their bodies).

Beat runs `send_notification_emails` every ten minutes (`seminar.beat`): interrupted sends are
queued again, the digests whose hour has come are queued, and every ready row is sent by its
own `deliver_notification_email` task. An email right away is enqueued when its notification
commits; should that message be lost, the next beat run sends the row.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from seminar.lib.queue import enqueue


@shared_task(name="discussion.send_notification_emails")
def send_notification_emails() -> None:
    from seminar.discussion import delivery

    for email_id in delivery.queue_due(timezone.now()):
        enqueue(deliver_notification_email, email_id)


@shared_task(bind=True, name="discussion.deliver_notification_email", max_retries=None)
def deliver_notification_email(self, email_id: int) -> None:
    from seminar.discussion import delivery

    result = delivery.deliver_email(email_id)
    if result.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=result.retry_in)


@shared_task(name="discussion.notify_new_review")
def notify_new_review(review_id: int) -> None:
    """After a review's submission commits (`receivers.on_week_changed`)."""
    from seminar.discussion import services

    services.notify_new_review(review_id=review_id)
