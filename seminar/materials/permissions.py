"""Who may set materials: a topic's presenter or an organizer for a topic; organizers for a
week's meeting and recording links. Every member may read and download them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from seminar.permissions import is_member, is_organizer

if TYPE_CHECKING:
    from seminar.models import Topic, Week


def can_edit_topic_materials(user: Any, topic: Topic) -> bool:
    if not is_member(user):
        return False
    return (topic.presenter_id is not None and topic.presenter_id == user.pk) or is_organizer(user)


def can_edit_week_materials(user: Any, week: Week) -> bool:
    return is_organizer(user)


def can_download_slides(user: Any, topic: Topic) -> bool:
    return is_member(user)
