"""What the digest upload form refuses before anything is stored, and why it says so."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from papers.forms import DigestUploadForm, not_a_markdown_digest
from tests.papers.builders import hf_digest


def _form(*files: tuple[str, bytes]) -> DigestUploadForm:
    return DigestUploadForm(
        data={}, files={"files": [SimpleUploadedFile(name, data) for name, data in files]}
    )


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("papers.json", b'[{"paper": {"id": "2505.12345"}}]', "a .json file is not a digest"),
        ("renamed.md", json.dumps({"papers": [1, 2]}).encode(), "is a JSON document"),
        ("dump.md", bytes(range(32)) * 64, "binary data"),
        ("image.md", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "is not UTF-8 text"),
        ("report.pdf", b"%PDF-1.7 ...", "a .pdf file is not a digest"),
    ],
)
def test_an_upload_that_is_not_a_markdown_digest_is_refused_with_its_name_and_reason(
    name, data, said
):
    form = _form((name, data))
    assert not form.is_valid()
    (message,) = form.errors["files"]
    assert message.startswith(f"{name}: ") and said in message


def test_markdown_that_starts_with_a_bracket_is_still_a_digest():
    text = "[Daily Papers](https://huggingface.co/papers) for 2025-05-26\n\n" + hf_digest(
        date(2025, 5, 26), [("2505.12345", "A Title")]
    )
    assert not_a_markdown_digest("digest.md", text) is None
    assert _form(("digest.md", text.encode())).is_valid()


def test_one_bad_file_names_itself_and_keeps_the_good_ones_unsaved():
    good = ("good.md", hf_digest(date(2025, 5, 26), [("2505.1", "T")]).encode())
    form = _form(good, ("bad.json", b"{}"))
    assert not form.is_valid()
    assert [m.split(":")[0] for m in form.errors["files"]] == ["bad.json"]
