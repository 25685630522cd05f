"""The domain events discussion hears (connected by `SeminarConfig.ready()`): a review
submitted (`seminar.signals.week_changed`, sent after the commit) tells the topic's presenter."""

from __future__ import annotations

from seminar.lib.queue import enqueue


def on_week_changed(sender, *, reason: str = "", review_id=None, **kwargs) -> None:
    if reason != "review" or review_id is None:
        return
    from seminar.discussion.tasks import notify_new_review

    enqueue(notify_new_review, review_id)


def connect() -> None:
    from seminar.signals import week_changed

    week_changed.connect(on_week_changed, dispatch_uid="seminar.discussion.week_changed")
