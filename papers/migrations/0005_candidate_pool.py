# The candidate pool: members' interest marks, and the search text with its indexes.

import re
import unicodedata

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models
from django.db.models import F

BATCH = 500

# A frozen copy of papers.search.build_search_text as it was when this migration was written.
_SPACE_RE = re.compile(r"\s+")
_MARKUP_RE = re.compile(r"[*`]+")
_MAX_CHARS = 20_000


def _search_text(arxiv_id, title, authors, summaries):
    parts, seen = [arxiv_id, title, authors], set()
    for sections in summaries:
        if not isinstance(sections, list):
            continue
        for section in sections:
            if not isinstance(section, dict):
                continue
            for key in ("heading", "body"):
                value = section.get(key)
                if isinstance(value, str) and value.strip() and value not in seen:
                    seen.add(value)
                    parts.append(value)
    text = unicodedata.normalize("NFKC", " ".join(p for p in parts if p).replace("\x00", " "))
    text = _SPACE_RE.sub(" ", _MARKUP_RE.sub("", text)).strip().lower()[:_MAX_CHARS]
    return "".join(c * 2 if c.isalnum() else c for c in text)


class TrigramExtensionKept(TrigramExtension):
    """Creates pg_trgm if missing; unapplying leaves it (other schemas may use it)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


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
        for paper in papers:
            paper.search_text = _search_text(
                paper.arxiv_id, paper.title, paper.authors, sections.get(paper.pk, [])
            )
        CandidatePaper.objects.using(db).bulk_update(papers, ["search_text"])


# PostgreSQL only, and so not in the models' Meta (SQLite would fail to build them, also when
# it rebuilds the table for a later migration). The trigram index answers the search's
# LIKE '%…%'; the two sort indexes let a search with many matches walk the pool in page order.
POSTGRES_INDEXES = {
    "papers_cand_search_trgm": "USING gin (search_text gin_trgm_ops)",
    "papers_cand_pool_date": "(last_digest_date DESC NULLS LAST, id DESC)",
    "papers_cand_pool_votes": "(votes DESC NULLS LAST, last_digest_date DESC NULLS LAST, id DESC)",
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

    dependencies = [
        ('papers', '0004_daily_digest_poll_schedule'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        TrigramExtensionKept(),
        migrations.AddField(
            model_name='candidatepaper',
            name='search_text',
            field=models.TextField(blank=True, default='', editable=False, verbose_name='search text'),
        ),
        migrations.CreateModel(
            name='PaperInterest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('hear', "I'd like to hear this"), ('present', 'I could present this')], max_length=10, verbose_name='kind')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='paper_interests', to=settings.AUTH_USER_MODEL)),
                ('paper', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='interests', to='papers.candidatepaper')),
            ],
            options={
                'verbose_name': 'paper interest',
                'verbose_name_plural': 'paper interests',
                'ordering': ['-created_at'],
                'constraints': [models.UniqueConstraint(fields=('paper', 'member', 'kind'), name='one_interest_per_member_and_kind')],
            },
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
