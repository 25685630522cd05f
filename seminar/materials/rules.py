"""The rules of materials, as pure functions (no database, no Django): which links may be
saved, whether uploaded bytes are a PDF we will store, and the name a download gets.

A link is shown on the week page, in emails, calendars and the exported page, so only
`http://` and `https://` links with a host are kept: `javascript:`, `data:`, `file:` and
scheme-relative links are refused.

An uploaded "PDF" is untrusted bytes. It is served from the app's origin (as an attachment,
with `nosniff` and a sandboxing policy), so a file that is really HTML or SVG, or a polyglot
starting as a PDF with markup in its first bytes, must never be stored: the bytes must begin
with `%PDF-1.x` or `%PDF-2.x`, hold no markup a browser would sniff in their first KiB, end
with `%%EOF` (in the last KiB, where readers look for it), and name none of the PDF actions
that run code or launch files (`/JavaScript`, `/Launch`, `/EmbeddedFile`, `/RichMedia`)
where they can be seen uncompressed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

MAX_LINK_CHARS = 200  # Django's URLField default, the column's length

PDF_MAGIC = re.compile(rb"%PDF-[12]\.[0-9]")
HEAD_BYTES = 1024
TAIL_BYTES = 1024
# Markup a browser's sniffer (or a lax viewer) would take for HTML, SVG or XML.
MARKUP = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|meta|img|\?xml|style)",
    re.IGNORECASE,
)
# PDF names of actions that run script or start other programs. `/JS` alone is too short to
# look for in compressed data without refusing honest files by chance.
ACTIVE_NAMES = re.compile(rb"/(?:JavaScript|Launch|EmbeddedFiles?|RichMedia)(?![A-Za-z0-9])")
# A PDF name may spell any of its characters as `#` and two hex digits (`/Java#53cript` is
# `/JavaScript` to a reader): names are looked at with those spelled out.
NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Bytes kept between chunks so a name split across two is still seen, even spelled wholly in
# escapes (`/EmbeddedFiles` so is 40 bytes).
OVERLAP = 64


class Refused(Exception):
    """Bytes or a link we will not keep; `code` says why (the caller words the message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def link_problem(value: str) -> str | None:
    """Why `value` cannot be saved as a materials link (a code), or None if it can.

    "" (no link) is fine. Only absolute http(s) URLs with a host, no spaces or control
    characters, at most `MAX_LINK_CHARS` long.
    """
    if value == "":
        return None
    if len(value) > MAX_LINK_CHARS:
        return "too_long"
    if any(char.isspace() or unicodedata.category(char)[0] == "C" for char in value):
        return "not_a_link"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return "not_a_link"
    if parts.scheme.lower() not in ("http", "https"):
        return "scheme"
    if not parts.hostname:
        return "not_a_link"
    return None


def _unescaped(data: bytes) -> bytes:
    if b"#" not in data:
        return data
    return NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), data)


def pdf_problem(chunks: Iterable[bytes]) -> str | None:
    """Why the bytes (given in order, in chunks) are not a PDF we store, or None.

    Codes: "not_pdf" (no PDF header at the very start), "markup" (HTML/SVG/XML in the first
    KiB), "truncated" (no `%%EOF` in the last KiB), "active" (script or launch actions).
    """
    head = b""
    window = b""
    tail = b""
    for chunk in chunks:
        if not chunk:
            continue
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
            if len(head) >= len(b"%PDF-1.0") and not PDF_MAGIC.match(head):
                return "not_pdf"
        window = window[-OVERLAP:] + chunk
        if ACTIVE_NAMES.search(_unescaped(window)):
            return "active"
        tail = (tail + chunk)[-TAIL_BYTES:]
    if not PDF_MAGIC.match(head):
        return "not_pdf"
    if MARKUP.search(head):
        return "markup"
    if b"%%EOF" not in tail:
        return "truncated"
    return None


def download_name(title: str) -> str:
    """A file name for a topic's slides: letters, digits, spaces, dots and dashes of the
    title (Korean included), at most 80 characters, ending in `.pdf`."""
    kept = "".join(
        char if char.isalnum() or char in " .-_" else " "
        for char in unicodedata.normalize("NFC", title)
    )
    stem = " ".join(kept.split()).strip(" .")[:80].strip(" .")
    return f"{stem or 'slides'}.pdf"
