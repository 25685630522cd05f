"""Images members paste into reviews: checked, re-encoded, stored under a name we choose.

An upload is untrusted bytes with an untrusted name and type. Served from the app's own origin,
a file whose name or bytes let a browser treat it as HTML or script runs under
`script-src 'self'` (a member once became superuser that way). So nothing of the upload survives
but its pixels:

- the client's file name and content type are never read;
- Pillow identifies the format from the bytes, among JPEG, PNG, GIF and WebP only;
- the header's dimensions are checked against a pixel cap before any pixel is decoded (a 656 KB
  PNG of 13000x13000 once took 1.5 GB to open);
- the first frame is decoded, shrunk to a maximum edge and written anew without metadata (EXIF,
  GPS, comments, ICC, text chunks), so the stored bytes are always Pillow's own output;
- it is stored as `markdownx/<uuid4 hex>.<ext of the detected format>`.

Each stored image is recorded (`reviews.MemberUpload`) against a per-member quota, and
`remove_orphan_uploads` deletes old images no review refers to. `reviews.media` serves only
names this module could have produced, as images that cannot run.
"""

from __future__ import annotations

import io
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from reviews.models import MemberUpload, ReviewSection
from seminar.models import User

logger = logging.getLogger(__name__)

UPLOAD_DIR = "markdownx"

# Detected format -> (stored extension, Content-Type). The only formats accepted and served.
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}
CONTENT_TYPES: dict[str, str] = {ext: content_type for ext, content_type in FORMATS.values()}
# Images stored before uploads were re-encoded kept the client's extension; `.jpeg` ones are
# still images, served like `.jpg` (anything else, `.js` and `.html` included, is never served).
CONTENT_TYPES["jpeg"] = "image/jpeg"

# What this module writes (32 hex digits), plus the dashed uuid4 names markdownx wrote before,
# so images already in reviews keep showing. Served names must match this exactly.
SERVABLE_NAME = re.compile(
    rf"{UPLOAD_DIR}/(?:[0-9a-f]{{32}}|[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}"
    rf"-[0-9a-f]{{12}})\.(?P<ext>{'|'.join(sorted(CONTENT_TYPES))})"
)

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
# 24 megapixels (6000x4000) decode to at most ~100 MB (RGBA), ~200 MB with one conversion.
DEFAULT_MAX_PIXELS = 24_000_000
DEFAULT_MAX_EDGE = 1600
DEFAULT_QUOTA_BYTES = 50 * 1024 * 1024
DEFAULT_QUOTA_FILES = 500
DEFAULT_ORPHAN_DAYS = 7
JPEG_QUALITY = 85
WEBP_QUALITY = 85

# Pillow's own bomb check runs inside `Image.open`: warn above this, refuse above twice this.
# It is process-wide, and Seminar opens images nowhere else; our own cap is checked below.
Image.MAX_IMAGE_PIXELS = max(
    getattr(settings, "SEMINAR_UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS), DEFAULT_MAX_PIXELS
)


class UploadRefused(Exception):
    """An upload we will not store; `message` is for the member (translated)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class EncodedImage:
    content: bytes
    extension: str
    width: int
    height: int


@dataclass(frozen=True)
class StoredImage:
    name: str  # the storage name, `markdownx/<hex>.<ext>`
    url: str
    size: int


def max_upload_bytes() -> int:
    return getattr(settings, "MARKDOWNX_UPLOAD_MAX_SIZE", DEFAULT_MAX_BYTES)


def max_pixels() -> int:
    return getattr(settings, "SEMINAR_UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS)


def max_edge() -> int:
    return getattr(settings, "SEMINAR_UPLOAD_MAX_EDGE", DEFAULT_MAX_EDGE)


def quota_bytes() -> int:
    return getattr(settings, "SEMINAR_UPLOAD_QUOTA_BYTES", DEFAULT_QUOTA_BYTES)


def quota_files() -> int:
    return getattr(settings, "SEMINAR_UPLOAD_QUOTA_FILES", DEFAULT_QUOTA_FILES)


def orphan_days() -> int:
    return getattr(settings, "SEMINAR_UPLOAD_ORPHAN_DAYS", DEFAULT_ORPHAN_DAYS)


def _not_an_image() -> UploadRefused:
    return UploadRefused(
        _("Only JPEG, PNG, GIF and WebP images can be uploaded."), code="unsupported"
    )


def _too_many_pixels() -> UploadRefused:
    return UploadRefused(
        _(
            "Images may have at most %(megapixels)d million pixels. Make this one smaller and "
            "upload it again."
        )
        % {"megapixels": max(max_pixels() // 1_000_000, 1)},
        code="too_many_pixels",
    )


def reencode_image(source: IO[bytes]) -> EncodedImage:
    """The first frame of `source` as a fresh JPEG, PNG, GIF or WebP file (the format it was
    in), shrunk to the maximum edge, with no metadata. Raises `UploadRefused`.

    Animated GIF and WebP keep only their first frame: decoding every frame would multiply the
    memory and time an upload may cost, and a still image is enough for a review.
    """
    cap = max_pixels()
    try:
        # `formats` limits which decoders may even look at the bytes; `open` reads the header
        # only (and runs Pillow's own bomb check, which raises above twice its limit).
        image = Image.open(source, formats=list(FORMATS))
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _not_an_image() from None
    with image:
        if image.format not in FORMATS:
            raise _not_an_image()
        width, height = image.size
        # The cap, from the header's dimensions, before a single pixel is decoded.
        if width < 1 or height < 1 or width * height > cap:
            raise _too_many_pixels()
        extension = FORMATS[image.format][0]
        try:
            pixels = _decoded_first_frame(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except (OSError, ValueError, SyntaxError, EOFError):
            # Truncated or corrupt data: Pillow refuses rather than guessing the rest.
            raise _not_an_image() from None
    buffer = io.BytesIO()
    if extension == "jpg":
        pixels.save(buffer, "JPEG", quality=JPEG_QUALITY)
    elif extension == "webp":
        pixels.save(buffer, "WEBP", quality=WEBP_QUALITY)
    elif extension == "png":
        pixels.save(buffer, "PNG")
    else:
        pixels.save(buffer, "GIF")
    return EncodedImage(
        content=buffer.getvalue(), extension=extension, width=pixels.width, height=pixels.height
    )


def _decoded_first_frame(image: Image.Image) -> Image.Image:
    """Decode frame 0, shrink it and turn it the right way up; return a new image that holds
    pixels only (no `info`, no EXIF), so nothing of the original file is written back."""
    edge = max_edge()
    image.seek(0)
    if image.format == "JPEG":
        # JPEG can decode at 1/2, 1/4 or 1/8 scale: a large photo never exists at full size.
        image.draft(None, (edge * 2, edge * 2))
    image.load()
    if image.format == "JPEG":
        mode = "L" if image.mode in ("1", "L") else "RGB"
    elif image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        mode = "RGBA"
    else:
        mode = "L" if image.mode in ("1", "L") else "RGB"
    # Converting palette images first lets the shrink below filter properly (a palette image
    # would be shrunk by dropping pixels).
    frame = image.convert(mode) if image.mode != mode else image
    frame.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    ImageOps.exif_transpose(frame, in_place=True)
    clean = Image.new(frame.mode, frame.size)
    clean.paste(frame)
    return clean


@dataclass(frozen=True)
class QuotaUse:
    bytes: int
    files: int


def quota_use(owner: User) -> QuotaUse:
    use = MemberUpload.objects.filter(owner=owner).aggregate(total=Sum("size"), count=Count("pk"))
    return QuotaUse(bytes=use["total"] or 0, files=use["count"])


def check_quota(*, owner: User, adding: int) -> None:
    """Refuse if `adding` more bytes (one more file) would take `owner` over their quota."""
    use = quota_use(owner)
    if use.files + 1 > quota_files():
        raise UploadRefused(
            _(
                "You have uploaded %(count)d images, the most one member may keep. Images no "
                "review uses are removed after %(days)d days."
            )
            % {"count": use.files, "days": orphan_days()},
            code="quota_files",
        )
    if use.bytes + adding > quota_bytes():
        raise UploadRefused(
            _(
                "Your images already take %(used)s of the %(limit)s each member may use. Images "
                "no review uses are removed after %(days)d days."
            )
            % {
                "used": filesizeformat(use.bytes),
                "limit": filesizeformat(quota_bytes()),
                "days": orphan_days(),
            },
            code="quota_bytes",
        )


def store_member_image(*, owner: User, upload: UploadedFile | None) -> StoredImage:
    """Check, re-encode and store an image `owner` uploaded; record it against their quota.

    Raises `UploadRefused` (nothing stored, nothing recorded) when it is not an allowed image,
    is too large in bytes or pixels, or does not fit the member's quota.
    """
    if upload is None:
        raise UploadRefused(_("Choose an image to upload."), code="missing")
    limit = max_upload_bytes()
    if upload.size is None or upload.size > limit:
        raise UploadRefused(
            _("Images may be at most %(limit)s.") % {"limit": filesizeformat(limit)},
            code="too_large",
        )
    # A member already at their quota is refused before their image is decoded.
    check_quota(owner=owner, adding=1)
    upload.seek(0)
    encoded = reencode_image(upload)
    name = f"{UPLOAD_DIR}/{uuid.uuid4().hex}.{encoded.extension}"
    stored_name = None
    try:
        with transaction.atomic():
            # One upload at a time per member, so two parallel ones cannot both fit the last
            # free bytes (PostgreSQL; SQLite serializes writers anyway).
            User.objects.select_for_update().filter(pk=owner.pk).first()
            check_quota(owner=owner, adding=len(encoded.content))
            stored_name = default_storage.save(name, ContentFile(encoded.content))
            MemberUpload.objects.create(owner=owner, name=stored_name, size=len(encoded.content))
    except BaseException:
        if stored_name is not None:
            default_storage.delete(stored_name)
        raise
    return StoredImage(
        name=stored_name, url=default_storage.url(stored_name), size=len(encoded.content)
    )


def servable_content_type(name: str) -> str | None:
    """The Content-Type to serve stored file `name` with, or None: never serve it."""
    match = SERVABLE_NAME.fullmatch(name)
    return CONTENT_TYPES[match["ext"]] if match else None


def _is_referenced(name: str) -> bool:
    # Bodies link images as `/media/markdownx/<file>`; the file name is a uuid, so finding it
    # anywhere in a body means the body uses it.
    return ReviewSection.objects.filter(body__contains=name.rsplit("/", 1)[-1]).exists()


def remove_orphan_uploads(*, now: datetime) -> list[str]:
    """Delete uploaded images older than `orphan_days()` that no review section's text uses;
    return the storage names removed.

    Recorded uploads are aged by their record. Files without a record (stored before uploads
    were recorded, or left by a request that failed after writing) are aged by their file
    time; those no current code would serve (`.js`, `.html`, …) are deleted even if a review
    links them, since nothing can show them.
    """
    cutoff = now - timedelta(days=orphan_days())
    removed: list[str] = []
    for upload in MemberUpload.objects.filter(created_at__lt=cutoff).order_by("pk").iterator():
        if _is_referenced(upload.name):
            continue
        default_storage.delete(upload.name)
        upload.delete()
        removed.append(upload.name)

    recorded = set(MemberUpload.objects.values_list("name", flat=True))
    try:
        _folders, files = default_storage.listdir(UPLOAD_DIR)
    except FileNotFoundError:
        files = []
    for file_name in sorted(files):
        name = f"{UPLOAD_DIR}/{file_name}"
        if name in recorded:
            continue
        try:
            modified = default_storage.get_modified_time(name)
        except (FileNotFoundError, NotImplementedError):
            continue
        if modified >= cutoff:
            continue  # possibly an upload being recorded right now
        if servable_content_type(name) is not None and _is_referenced(name):
            continue
        default_storage.delete(name)
        removed.append(name)
    if removed:
        logger.info("Removed %d unused uploaded image(s).", len(removed))
    return removed
