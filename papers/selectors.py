"""Reads for the organizers' import pages."""

from __future__ import annotations

from django.db.models import QuerySet

from papers.models import Digest, DigestSource, PaperSummary

# Columns a list of import runs never needs: the text itself can be megabytes.
_HEAVY_DIGEST_FIELDS = ("content", "errors", "warnings")


def import_runs() -> QuerySet[Digest]:
    """Every import run, newest first, without the heavy columns."""
    return (
        Digest.objects.defer(*_HEAVY_DIGEST_FIELDS)
        .select_related("source", "uploaded_by")
        .order_by("-created_at", "-pk")
    )


def import_run(pk: int) -> QuerySet[Digest]:
    return Digest.objects.defer("content").select_related("source", "uploaded_by").filter(pk=pk)


def digest_summaries(digest: Digest) -> QuerySet[PaperSummary]:
    """The papers of one digest, in the digest's own order."""
    return (
        PaperSummary.objects.filter(digest=digest)
        .select_related("paper")
        .only(
            "position",
            "title",
            "summary_ok",
            "truncated",
            "problems",
            "digest_id",
            "paper__arxiv_id",
            "paper__title",
            "paper__status",
        )
        .order_by("position", "pk")
    )


def digest_sources() -> QuerySet[DigestSource]:
    return DigestSource.objects.order_by("name")
