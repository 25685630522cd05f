"""Digest locations: templates, and which folders and URLs a source may name."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from papers.models import DigestSource
from papers.sources import expand_template

pytestmark = pytest.mark.django_db

TODAY = date(2025, 5, 27)


def test_a_template_expands_each_date_placeholder_and_leaves_a_plain_url_alone():
    assert expand_template("https://x.org/{date}/{date:%Y%m%d}.md", TODAY) == (
        "https://x.org/2025-05-27/20250527.md"
    )
    assert expand_template("https://x.org/latest.md", TODAY) == "https://x.org/latest.md"


@pytest.mark.parametrize(
    ("kind", "location"),
    [
        ("url", "ftp://example.org/{date}.md"),
        ("url", "https://example.org/{day}.md"),
        ("url", "not a url"),
        ("folder", "relative/folder"),
    ],
)
def test_a_source_with_an_unusable_location_does_not_validate(kind, location):
    source = DigestSource(name="bad", kind=kind, location=location)
    with pytest.raises(ValidationError) as info:
        source.full_clean()
    assert "location" in info.value.message_dict


def test_a_source_with_a_good_location_validates(tmp_path, settings):
    settings.DIGEST_FOLDER_ROOTS = [str(tmp_path)]
    DigestSource(name="u", kind="url", location="https://example.org/{date}.md").full_clean()
    DigestSource(name="f", kind="folder", location=str(tmp_path)).full_clean()
