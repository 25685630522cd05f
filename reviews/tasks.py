"""Celery tasks for reviews: thin wrappers that call one service each."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="reviews.remove_orphan_uploads")
def remove_orphan_uploads() -> None:
    """Beat, daily: delete uploaded images no review has used for `SEMINAR_UPLOAD_ORPHAN_DAYS`
    days (see `reviews.uploads.remove_orphan_uploads`)."""
    from django.utils import timezone

    from reviews.uploads import remove_orphan_uploads as remove

    remove(now=timezone.now())
