"""`python manage.py refresh_search_text`: rebuild every paper's search text.

Run it after editing `papers/glossary.txt`: a search text holds the concept tokens of the
glossary it was written with (`papers.searchtext.concept_tokens`), so a changed line finds
old papers again only once their text is rebuilt. Idempotent; papers whose text is already
current are not written.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F

from papers.models import CandidatePaper, PaperSummary
from papers.search import build_search_text

BATCH = 500


def refresh_search_texts(*, batch: int = BATCH) -> tuple[int, int]:
    """Rebuild every paper's search text, `batch` papers a transaction; (read, rewritten)."""
    last = read = rewritten = 0
    while True:
        papers = list(
            CandidatePaper.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("arxiv_id", "title", "authors", "search_text")[:batch]
        )
        if not papers:
            return read, rewritten
        last = papers[-1].pk
        sections: dict[int, list] = {}
        for paper_id, value in (
            PaperSummary.objects.filter(paper_id__in=[p.pk for p in papers])
            .order_by(F("digest__date").desc(nulls_last=True), "-pk")
            .values_list("paper_id", "sections")
        ):
            sections.setdefault(paper_id, []).append(value)
        changed = []
        for paper in papers:
            text = build_search_text(
                arxiv_id=paper.arxiv_id,
                title=paper.title,
                authors=paper.authors,
                summaries=sections.get(paper.pk, []),
            )
            if text != paper.search_text:
                paper.search_text = text
                changed.append(paper)
        with transaction.atomic():
            CandidatePaper.objects.bulk_update(changed, ["search_text"])
        read += len(papers)
        rewritten += len(changed)


class Command(BaseCommand):
    help = "Rebuild every candidate paper's search text (after editing papers/glossary.txt)."

    def handle(self, *args, **options):
        read, rewritten = refresh_search_texts()
        self.stdout.write(f"{read} papers read, {rewritten} search texts rebuilt.")
