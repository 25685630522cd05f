# Search that ranks: indexes for relevance (#14).
#
# The search text gains a new layout (title first, then a separator, the glossary's concept
# tokens, Hangul syllables without the spaces between them: papers.search), every paper's is
# rebuilt, and its title and concept tokens become generated columns with indexes of their
# own (PostgreSQL): the title ranks title matches first, the tokens find glossary terms.
#
# The rebuild calls papers.search.build_search_text as it is when the migration runs, not a
# frozen copy: the search text is derived data, and its concept tokens come from the glossary
# file deployed with the code (manage.py refresh_search_text rebuilds it the same way).

import django.db.models.expressions
import django.db.models.functions.comparison
import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import F

BATCH = 500


def fill_search_text(apps, schema_editor):
    CandidatePaper = apps.get_model("papers", "CandidatePaper")
    PaperSummary = apps.get_model("papers", "PaperSummary")
    db = schema_editor.connection.alias
    last = 0
    while True:
        papers = list(
            CandidatePaper.objects.using(db)
            .filter(pk__gt=last)
            .order_by("pk")
            .only("arxiv_id", "title", "authors")[:BATCH]
        )
        if not papers:
            return
        last = papers[-1].pk
        sections = {}
        for paper_id, value in (
            PaperSummary.objects.using(db)
            .filter(paper_id__in=[p.pk for p in papers])
            .order_by(F("digest__date").desc(nulls_last=True), "-pk")
            .values_list("paper_id", "sections")
        ):
            sections.setdefault(paper_id, []).append(value)
        from papers.search import build_search_text  # the code deployed (see the top)

        for paper in papers:
            paper.search_text = build_search_text(
                arxiv_id=paper.arxiv_id,
                title=paper.title,
                authors=paper.authors,
                summaries=sections.get(paper.pk, []),
            )
        CandidatePaper.objects.using(db).bulk_update(papers, ["search_text"])


# PostgreSQL only, as in migration 0005 (SQLite has no trigram index; it scans). The title's
# trigram index finds titles that have a word; its hash index finds the title that is the
# query (a short word's doubled trigrams are in thousands of titles, and a title can be too
# long for a btree entry); the concepts' trigram index finds a glossary term's token.
POSTGRES_INDEXES = {
    "papers_cand_title_trgm": "USING gin (search_title gin_trgm_ops)",
    "papers_cand_title_hash": "USING hash (search_title)",
    "papers_cand_concepts_trgm": "USING gin (search_concepts gin_trgm_ops)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in POSTGRES_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON papers_candidatepaper {definition}"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in POSTGRES_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("papers", "0009_votes")]

    operations = [
        migrations.AddField(
            model_name="candidatepaper",
            name="search_title",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Left(
                    "search_text",
                    django.db.models.functions.comparison.Greatest(
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.functions.text.StrIndex(
                                "search_text", models.Value("\x1f")
                            ),
                            "-",
                            models.Value(1),
                        ),
                        0,
                    ),
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.AddField(
            model_name="candidatepaper",
            name="search_concepts",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Substr(
                    "search_text",
                    django.db.models.expressions.CombinedExpression(
                        django.db.models.functions.text.StrIndex(
                            "search_text", models.Value("\x1f")
                        ),
                        "+",
                        models.Value(1),
                    ),
                    django.db.models.functions.comparison.Greatest(
                        django.db.models.expressions.CombinedExpression(
                            django.db.models.expressions.CombinedExpression(
                                django.db.models.functions.text.StrIndex(
                                    "search_text", models.Value("\x1e")
                                ),
                                "-",
                                django.db.models.functions.text.StrIndex(
                                    "search_text", models.Value("\x1f")
                                ),
                            ),
                            "-",
                            models.Value(1),
                        ),
                        0,
                    ),
                ),
                output_field=models.TextField(),
            ),
        ),
        # Unapplied, the old layout's search text stays until migration 0005's is run again;
        # the old code reads it as one text all the same (the title is in it).
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
