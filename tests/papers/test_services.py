"""The public writes: storing digests once per content, refusing what is too large, retrying."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from papers.models import CandidatePaper, Digest, PaperSummary
from papers.services import (
    import_digest_file,
    import_digest_text,
    retry_digest_import,
    store_digest,
)
from papers.text import content_hash, normalize_digest_text
from tests.papers.builders import hf_digest
from tests.papers.conftest import SEED_DIGESTS

pytestmark = pytest.mark.django_db

MAY_1 = date(2025, 5, 1)


def test_importing_the_same_file_again_changes_nothing():
    first = import_digest_file(path=SEED_DIGESTS[0])
    before = list(CandidatePaper.objects.values_list("arxiv_id", "updated_at").order_by("pk"))
    again = import_digest_file(path=SEED_DIGESTS[0])
    assert again.pk == first.pk
    assert (again.status, again.papers_new, again.attempts) == ("done", 15, 1)
    assert list(CandidatePaper.objects.values_list("arxiv_id", "updated_at").order_by("pk")) == (
        before
    )
    assert Digest.objects.count() == 1
    assert PaperSummary.objects.count() == 15


def test_the_same_digest_saved_with_crlf_and_a_bom_is_the_same_import():
    text = SEED_DIGESTS[1].read_text(encoding="utf-8")
    first = import_digest_text(text=text, origin="a.md")
    other = import_digest_text(text="\ufeff" + text.replace("\n", "\r\n") + "\r\n\r\n", origin="b")
    assert other.pk == first.pk
    assert content_hash(text) == first.content_hash
    assert Digest.objects.count() == 1


def test_a_digest_over_the_size_limit_is_refused(settings):
    settings.DIGEST_MAX_BYTES = 100
    with pytest.raises(ValidationError):
        import_digest_text(text=hf_digest(MAY_1, [("2505.40002", "T")]), origin="big")
    assert Digest.objects.count() == 0


def test_store_digest_keeps_the_origin_and_uploader(organizer):
    digest, created = store_digest(
        text=hf_digest(MAY_1, [("2505.50001", "T")]), origin="up.md", uploaded_by=organizer
    )
    assert created
    assert (digest.status, digest.origin, digest.uploaded_by) == ("pending", "up.md", organizer)
    assert digest.content == normalize_digest_text(digest.content)
    assert store_digest(text=digest.content, origin="other.md") == (digest, False)


def test_retry_refuses_a_finished_import():
    digest = import_digest_text(text=hf_digest(MAY_1, [("2505.60002", "T")]), origin="x")
    assert not retry_digest_import(digest=digest)
    digest.refresh_from_db()
    assert digest.status == Digest.Status.DONE
