"""How integrations hear about changes (connected in `SeminarConfig.ready()` through
`connect()`): the domain's signals (`assignment_changed`, `week_changed`) and Django's model
signals on topics, slots, weeks and digests.

Nothing here runs a query while the change is being made: every receiver only collects the
week in a batch that runs once the transaction commits (`transaction.on_commit`, robust, so a
failure here never fails the request that made the change). Inside one transaction, many
saves of one week make one note and one task.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from seminar.integrations import tasks  # registers the tasks in every process (the worker)
from seminar.lib.queue import enqueue

logger = logging.getLogger(__name__)

_local = threading.local()

# What changed, as the commit message says it (translated when the batch runs).
TOPICS_EDITED = "topics"
WEEK_EDITED = "week"
ASSIGNMENT = "assignment"
REVIEW_SUBMITTED = "review"


@contextmanager
def quietly() -> Iterator[None]:
    """Changes made inside are not published (the archive import, which records the pages as
    published itself)."""
    previous = getattr(_local, "quiet", False)
    _local.quiet = True
    try:
        yield
    finally:
        _local.quiet = previous


class _Batch:
    """What changed in one transaction: {("week" | "topic", id): [(reason, member_id, name)]}
    (a slot names its topic; its week is looked up once the transaction committed)."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, int], list[tuple[str, int | None, str]]] = {}
        self.done = False

    def __call__(self) -> None:
        self.done = True
        flush(self.items)


def _batch() -> _Batch | None:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    for entry in connection.run_on_commit:
        if isinstance(entry[1], _Batch) and not entry[1].done:
            return entry[1]
    batch = _Batch()
    transaction.on_commit(batch, robust=True)
    return batch


def touched(kind: str, pk: int | None, reason: str, member_id: int | None = None, name: str = ""):
    """Remember that a week (or a topic's week) changed; noted once the transaction commits."""
    if not pk or getattr(_local, "quiet", False):
        return
    item = (reason, member_id, name)
    batch = _batch()
    if batch is None:
        flush({(kind, pk): [item]})
    else:
        batch.items.setdefault((kind, pk), []).append(item)


def _reason_text(reason: str, name: str) -> str:
    from django.utils.translation import gettext as _

    if reason == REVIEW_SUBMITTED:
        return _("review by %(name)s submitted") % {"name": name} if name else _("review submitted")
    if reason == ASSIGNMENT:
        return _("presenters or reviewers changed")
    if reason == WEEK_EDITED:
        return _("week details edited")
    return _("topics edited")


def flush(items: dict[tuple[str, int], list[tuple[str, int | None, str]]]) -> None:
    """Note each changed week as owed to the repositories, and enqueue its publication."""
    from django.conf import settings
    from django.utils import translation

    from seminar.integrations import publishing
    from seminar.models import RepositoryConnection, Topic

    try:
        if not RepositoryConnection.objects.filter(enabled=True).exists():
            return
        topic_ids = [pk for kind, pk in items if kind == "topic"]
        weeks_of = dict(Topic.objects.filter(pk__in=topic_ids).values_list("pk", "week_id"))
        by_week: dict[int, list[tuple[str, int | None, str]]] = {}
        for (kind, pk), found in items.items():
            week_id = pk if kind == "week" else weeks_of.get(pk)
            if week_id is not None:
                by_week.setdefault(week_id, []).extend(found)
        for week_id, changes in by_week.items():
            with translation.override(settings.LANGUAGE_CODE):
                connection_ids: list[int] = []
                for reason, member_id, name in dict.fromkeys(changes):
                    connection_ids = publishing.note_week_changed(
                        week_id=week_id, reason=_reason_text(reason, name), member_id=member_id
                    )
            for connection_id in connection_ids:
                enqueue(tasks.publish_week, connection_id, week_id)
    except Exception:  # never fail the request that made the change
        logger.exception("Could not note changed weeks for publication")


# --- receivers ------------------------------------------------------------------------------


def on_week_changed(sender, *, week_id: int, reason: str = "", member_id=None, **kwargs) -> None:
    """`seminar.signals.week_changed` (sent after commit): a review submitted, for now."""
    touched("week", week_id, reason or TOPICS_EDITED, member_id, kwargs.get("member_name", ""))
    if review_id := kwargs.get("review_id"):
        enqueue(tasks.announce, "review", review_id)


def on_assignment_changed(sender, *, change_id: int, **kwargs) -> None:
    from seminar.models import AssignmentChange

    found = (
        AssignmentChange.objects.filter(pk=change_id)
        .values_list("topic__week_id", "actor_id")
        .first()
    )
    if found:
        touched("week", found[0], ASSIGNMENT, found[1])
    enqueue(tasks.announce, "assignment", change_id)


def on_topic_saved(sender, instance, **kwargs) -> None:
    touched("week", instance.week_id, TOPICS_EDITED)


def on_slot_saved(sender, instance, **kwargs) -> None:
    touched("topic", instance.topic_id, TOPICS_EDITED)


def on_week_saved(sender, instance, created: bool = False, **kwargs) -> None:
    if not created:
        touched("week", instance.pk, WEEK_EDITED)


def on_digest_saved(sender, instance, **kwargs) -> None:
    if instance.status in ("failed", "partial"):
        digest_id = instance.pk
        transaction.on_commit(
            lambda: enqueue(tasks.announce, "import_errors", digest_id),
            using=kwargs.get("using"),
            robust=True,
        )


def connect() -> None:
    from papers.models import Digest
    from seminar.models import ReviewerSlot, Topic, Week
    from seminar.signals import assignment_changed, week_changed

    uid = "seminar.integrations."
    week_changed.connect(on_week_changed, dispatch_uid=uid + "week_changed")
    assignment_changed.connect(on_assignment_changed, dispatch_uid=uid + "assignment_changed")
    for signal in (post_save, post_delete):
        name = "saved" if signal is post_save else "deleted"
        signal.connect(on_topic_saved, sender=Topic, dispatch_uid=f"{uid}topic_{name}")
        signal.connect(on_slot_saved, sender=ReviewerSlot, dispatch_uid=f"{uid}slot_{name}")
    post_save.connect(on_week_saved, sender=Week, dispatch_uid=uid + "week_saved")
    post_save.connect(on_digest_saved, sender=Digest, dispatch_uid=uid + "digest_saved")
