"""A digest's text: decoding its bytes as the parser does, the stored form, its hash."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from papers.digest import parse_digest
from papers.text import (
    content_hash,
    decode_digest_bytes,
    encode_digest_text,
    normalize_digest_text,
)

TEXT = "# 📰 Hugging Face Daily Papers – 2025-05-26\n\n## 2505.00001\n제목과 요약\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with the platform's BOM
        b"\xff\xfe" + TEXT.encode("utf-16-le"),
        b"\xfe\xff" + TEXT.encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16", "utf-16-le-bom", "utf-16-be-bom"],
)
def test_a_digest_file_decodes_to_the_same_text_in_each_encoding_the_parser_reads(data):
    assert decode_digest_bytes(data).lstrip("\ufeff") == TEXT
    assert decode_digest_bytes(data, strict=True).lstrip("\ufeff") == TEXT
    # One rule: the app stores what the parser reads from the same bytes.
    stored = normalize_digest_text(decode_digest_bytes(data))
    assert parse_digest(stored).to_dict() == parse_digest(data).to_dict()


def test_bytes_that_are_not_utf_8_are_replaced_for_imports_and_refused_for_uploads():
    data = b"# Digest\n\nabc\xffdef\n"
    assert decode_digest_bytes(data) == "# Digest\n\nabc\ufffddef\n"
    with pytest.raises(ValidationError) as info:
        decode_digest_bytes(data, strict=True)
    assert info.value.code == "encoding"
    assert info.value.messages == ["The file is not UTF-8 text (invalid byte at position 13)."]


def test_the_stored_form_drops_nul_bytes_a_bom_carriage_returns_and_trailing_blanks():
    assert normalize_digest_text("\ufeffa\x00b\r\nc\rd  \n\n\t\n") == "ab\nc\nd\n"


def test_a_lone_surrogate_is_stored_as_a_question_mark():
    assert encode_digest_text("a\ud800b") == b"a?b\n"
    assert content_hash("a\ud800b") == content_hash("a?b")


def test_the_same_digest_saved_by_another_editor_has_the_same_hash():
    crlf_with_bom = "\ufeff" + TEXT.replace("\n", "\r\n") + "\r\n\r\n"
    assert content_hash(crlf_with_bom) == content_hash(TEXT)
    assert content_hash(TEXT) != content_hash(TEXT + "more")
    assert len(content_hash(TEXT)) == 64
