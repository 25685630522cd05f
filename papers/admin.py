from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from papers import services
from papers.models import CandidatePaper, Digest, DigestSource, PaperInterest, PaperSummary


class PaperSummaryInline(admin.StackedInline):
    model = PaperSummary
    extra = 0
    fields = ["digest", "position", "title", "summary_ok", "truncated", "sections", "problems"]
    readonly_fields = ["digest", "position"]


@admin.register(CandidatePaper)
class CandidatePaperAdmin(admin.ModelAdmin):
    list_display = ["arxiv_id", "title", "status", "votes", "last_digest_date"]
    list_filter = ["status", "last_digest_date"]
    search_fields = ["arxiv_id", "title", "authors"]
    date_hierarchy = "last_digest_date"
    readonly_fields = ["edited_fields", "created_at", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [PaperSummaryInline]
    actions = ["forget_edits"]

    def save_model(self, request, obj, form, change):
        # What an organizer typed here is theirs: later digests must not overwrite it.
        if change:
            services.record_edited_fields(paper=obj, fields=form.changed_data)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Let digests fill the edited fields again"))
    def forget_edits(self, request, queryset):
        count = services.forget_edited_fields(papers=queryset)
        self.message_user(
            request,
            ngettext("%(count)d paper updated.", "%(count)d papers updated.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "format",
        "status",
        "papers_total",
        "papers_new",
        "papers_updated",
        "papers_failed",
        "created_at",
    ]
    list_filter = ["status", "format", "source"]
    search_fields = ["origin", "content_hash"]
    readonly_fields = [
        "content_hash",
        "content",
        "status",
        "attempts",
        "papers_total",
        "papers_done",
        "papers_new",
        "papers_updated",
        "papers_unchanged",
        "papers_failed",
        "errors",
        "warnings",
        "created_at",
        "started_at",
        "finished_at",
    ]
    actions = ["retry_imports"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    @admin.action(description=_("Retry the selected failed or partial imports"))
    def retry_imports(self, request, queryset):
        count = sum(services.retry_digest_import(digest=digest) for digest in queryset)
        self.message_user(
            request,
            ngettext("%(count)d import queued.", "%(count)d imports queued.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(DigestSource)
class DigestSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "location", "enabled", "last_polled_at", "last_result"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "location"]
    readonly_fields = ["last_polled_at", "last_result", "last_error"]
    actions = ["poll_now"]

    @admin.action(description=_("Poll the selected sources now"))
    def poll_now(self, request, queryset):
        for source in queryset:
            services.enqueue_source_poll(source_id=source.pk)
        self.message_user(request, _("Polling queued."), messages.SUCCESS)


@admin.register(PaperInterest)
class PaperInterestAdmin(admin.ModelAdmin):
    list_display = ["paper", "member", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["paper__arxiv_id", "paper__title", "member__email", "member__name"]
    raw_id_fields = ["paper", "member"]
