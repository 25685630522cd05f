"""Setting materials: a topic's slides (PDF or link) and code link, a week's meeting and
recording links. One transaction each; the rules are checked again here, whatever the view
showed."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from seminar.materials import rules
from seminar.materials.permissions import can_edit_topic_materials, can_edit_week_materials
from seminar.materials.uploads import SlidesRefused, delete_stored, store_pdf
from seminar.models import SlidesUpload, Topic, User, Week

LINK_MESSAGES = {
    "too_long": lambda: (
        _("Links may be at most %(count)d characters.") % {"count": rules.MAX_LINK_CHARS}
    ),
    "scheme": lambda: _("Only http:// and https:// links can be saved."),
    "not_a_link": lambda: _("Enter a full link, such as https://example.org/slides."),
}


def check_link(value: str, *, field: str) -> str:
    """`value` stripped, or a `ValidationError` on `field` naming why it cannot be saved."""
    value = value.strip()
    problem = rules.link_problem(value)
    if problem is not None:
        raise ValidationError({field: ValidationError(LINK_MESSAGES[problem](), code=problem)})
    return value


@dataclass(frozen=True)
class TopicMaterials:
    slides_url: str = ""
    code_url: str = ""
    slides_pdf: UploadedFile | None = None
    remove_slides_pdf: bool = False


def set_topic_materials(*, actor: User, topic: Topic, materials: TopicMaterials) -> Topic:
    """Save a topic's slides link, code link and slides PDF (replacing or removing the one
    before, whose file is deleted once this commits). Raises `PermissionDenied` unless
    `actor` presents the topic or organizes, `ValidationError` for a bad link or file."""
    slides_url = check_link(materials.slides_url, field="slides_url")
    code_url = check_link(materials.code_url, field="code_url")
    stored: str | None = None
    if materials.slides_pdf is not None:
        if not can_edit_topic_materials(actor, topic):
            raise PermissionDenied
        try:
            stored, size = store_pdf(upload=materials.slides_pdf)
        except SlidesRefused as refused:
            raise ValidationError(
                {"slides_pdf": ValidationError(refused.message, code=refused.code)}
            ) from None
    try:
        with transaction.atomic():
            locked = Topic.objects.select_for_update().get(pk=topic.pk)
            # Checked under the lock: a presenter replaced a moment ago edits nothing.
            if not can_edit_topic_materials(actor, locked):
                raise PermissionDenied
            old_file = locked.slides_file
            locked.slides_url = slides_url
            locked.code_url = code_url
            if stored is not None:
                locked.slides_file = stored
                SlidesUpload.objects.create(owner=actor, topic=locked, name=stored, size=size)
            elif materials.remove_slides_pdf:
                locked.slides_file = ""
            locked.save(update_fields=["slides_url", "code_url", "slides_file"])
            if old_file and old_file != locked.slides_file:
                transaction.on_commit(lambda: delete_stored(old_file))
    except BaseException:
        if stored is not None:
            delete_stored(stored)
        raise
    return locked


def set_week_materials(*, actor: User, week: Week, online_url: str, recording_url: str) -> Week:
    """Save a week's meeting and recording links (organizers)."""
    online_url = check_link(online_url, field="online_url")
    recording_url = check_link(recording_url, field="recording_url")
    with transaction.atomic():
        if not can_edit_week_materials(actor, week):
            raise PermissionDenied
        locked = Week.objects.select_for_update().get(pk=week.pk)
        locked.online_url = online_url
        locked.recording_url = recording_url
        locked.save(update_fields=["online_url", "recording_url"])
    return locked
