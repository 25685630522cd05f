from django.contrib import admin

from papers.models import CandidatePaper, Digest, DigestSource, PaperSummary


class PaperSummaryInline(admin.StackedInline):
    model = PaperSummary
    extra = 0
    fields = ["digest", "title", "summary_ok", "truncated", "sections", "problems"]
    readonly_fields = ["digest"]


@admin.register(CandidatePaper)
class CandidatePaperAdmin(admin.ModelAdmin):
    list_display = ["arxiv_id", "title", "status", "votes", "last_digest_date"]
    list_filter = ["status", "last_digest_date"]
    search_fields = ["arxiv_id", "title", "authors"]
    date_hierarchy = "last_digest_date"
    inlines = [PaperSummaryInline]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "format",
        "status",
        "papers_total",
        "papers_new",
        "papers_failed",
        "created_at",
    ]
    list_filter = ["status", "format", "source"]
    search_fields = ["origin", "content_hash"]
    readonly_fields = ["content_hash", "created_at", "started_at", "finished_at"]


@admin.register(DigestSource)
class DigestSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "location", "enabled", "last_polled_at"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "location"]
