"""Slides PDFs: checked, stored under a name we choose, logged, and removed when replaced.

The client's file name and content type are never read. The bytes must pass
`rules.pdf_problem` (a PDF header at the very start, no markup a browser would sniff, an
`%%EOF`, no script or launch actions) within `SEMINAR_SLIDES_MAX_BYTES`; the file is stored
as `slides/<uuid4 hex>.pdf` and recorded in `SlidesUpload`. It is only ever served by
`seminar.materials.views.topic_slides` (signed-in members, as an attachment, `nosniff`, a
sandboxing policy), never from `/media/`.
"""

from __future__ import annotations

import logging
import re
import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from seminar.materials import rules
from seminar.models import SlidesUpload

logger = logging.getLogger(__name__)

UPLOAD_DIR = "slides"
SERVABLE_NAME = re.compile(rf"{UPLOAD_DIR}/[0-9a-f]{{32}}\.pdf")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
CHUNK = 1024 * 1024


def max_slides_bytes() -> int:
    return getattr(settings, "SEMINAR_SLIDES_MAX_BYTES", DEFAULT_MAX_BYTES)


class SlidesRefused(Exception):
    """A file we will not store; `message` is for the member (translated)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def too_large() -> SlidesRefused:
    return SlidesRefused(
        _("Slides may be at most %(limit)s.") % {"limit": filesizeformat(max_slides_bytes())},
        code="too_large",
    )


REFUSALS = {
    "not_pdf": lambda: _("Only PDF files can be uploaded as slides."),
    "markup": lambda: _("This file holds web page markup; upload a PDF exported as is."),
    "truncated": lambda: _("This PDF looks cut off (it has no end marker); export it again."),
    "active": lambda: _(
        "This PDF contains scripts, launch actions or attached files, which are not accepted. "
        "Export it again without them (Print → Save as PDF works)."
    ),
}


class SizeLimitHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the limit, so an oversized body is never
    written to the server's temporary files in full."""

    def __init__(self, request=None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int):
        return None


def _chunks(upload: UploadedFile):
    upload.seek(0)
    yield from upload.chunks(CHUNK)


def check_pdf(upload: UploadedFile) -> None:
    """Raise `SlidesRefused` unless `upload` is a PDF we store."""
    if upload.size is None or upload.size > max_slides_bytes():
        raise too_large()
    if upload.size == 0:
        raise SlidesRefused(REFUSALS["not_pdf"](), code="not_pdf")
    problem = rules.pdf_problem(_chunks(upload))
    if problem is not None:
        raise SlidesRefused(REFUSALS[problem](), code=problem)


def store_pdf(*, upload: UploadedFile) -> tuple[str, int]:
    """Check and store `upload`; its storage name and size. The caller records it."""
    check_pdf(upload)
    upload.seek(0)
    name = default_storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}.pdf", upload)
    if not SERVABLE_NAME.fullmatch(name):  # a storage that renamed it: never serve that
        default_storage.delete(name)
        raise SlidesRefused(_("The file could not be stored."), code="storage")
    return name, upload.size


def is_servable(name: str) -> bool:
    return bool(SERVABLE_NAME.fullmatch(name))


def delete_stored(name: str) -> None:
    """Delete a stored slides file and mark its log row removed (after a commit)."""
    if not name:
        return
    if is_servable(name):
        default_storage.delete(name)
    SlidesUpload.objects.filter(name=name, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )
