"""A digest's text as the app stores it: the size limit, decoding, the stored form, its hash.

Decoding follows the parser (`papers.digest.text.decode_bytes`), so an uploaded file, a polled
file and a file read by `python -m papers.digest` become the same text.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from papers.digest.text import decode_bytes


def max_digest_bytes() -> int:
    return int(getattr(settings, "DIGEST_MAX_BYTES", 5 * 1024 * 1024))


def decode_digest_bytes(data: bytes, *, strict: bool = False) -> str:
    """Text of a digest file: UTF-8 (with or without a BOM), or UTF-16 with a BOM.

    Undecodable bytes become U+FFFD and the parser reports what it can. With `strict`, a file
    the parser would have to repair that way raises `ValidationError` instead (uploads get a
    form error naming the first bad byte).
    """
    text, notes = decode_bytes(data)
    if strict and notes:
        raise ValidationError(
            _("The file is not UTF-8 text (invalid byte at position %(pos)s).")
            % {"pos": _first_invalid_byte(data)},
            code="encoding",
        )
    return text


def _first_invalid_byte(data: bytes) -> int:
    # Only locates the byte for the message; which codec applies is decided above.
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return exc.start
    return 0


def normalize_digest_text(text: str) -> str:
    """The form a digest is stored and hashed in.

    NUL bytes go (PostgreSQL rejects them in text), as do a BOM, CRLF/CR line ends and
    trailing blank space, so that the same digest saved by another editor hashes the same.
    """
    text = text.replace("\x00", "").removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip() + "\n"


def encode_digest_text(text: str) -> bytes:
    """The stored form as UTF-8, the bytes the size limit counts and the hash is taken of.

    Lone surrogates cannot be stored in UTF-8 columns; they are never meaningful text, so
    they become "?".
    """
    return normalize_digest_text(text).encode("utf-8", errors="replace")


def content_hash(text: str) -> str:
    """The key a digest is stored under: sha256 of its normalized UTF-8 text."""
    return hashlib.sha256(encode_digest_text(text)).hexdigest()
