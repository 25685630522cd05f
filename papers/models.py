"""Candidate papers and the digests they were imported from."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest, Left, StrIndex, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from papers.hf_api import DEFAULT_BASE_URL as HF_API_DEFAULT_URL
from papers.search import CONCEPTS_END, TITLE_END, build_search_text
from papers.sources import MAX_DAYS_BACK, is_template, location_problem
from seminar.lib.queue import worker_gone_after

# arXiv ids are stored without a version suffix, so `2505.17612v2` and `2505.17612` can never
# become two candidates. The database refuses a versioned id outright.
ARXIV_VERSION_SUFFIX = r"v[0-9]+$"
# The candidate's own fields that are part of its search text.
_SEARCHED_FIELDS = frozenset({"arxiv_id", "title", "authors"})


class DigestSource(models.Model):
    """Where digests come from, polled on a schedule by the worker."""

    class Kind(models.TextChoices):
        FOLDER = "folder", _("Folder on the server")
        URL = "url", _("HTTP(S) URL or URL template with {date}")
        HF_API = "hf_api", _("Hugging Face Daily Papers API")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    location = models.CharField(
        _("location"),
        max_length=500,
        blank=True,  # the Hugging Face API has a default base URL; the others need one
        help_text=_(
            "A folder path, or a URL such as https://example.org/digests/{date}.md. For the "
            "Hugging Face API, its base URL (empty: https://huggingface.co/api/daily_papers)."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    days_back = models.PositiveSmallIntegerField(
        _("days to look back"),
        default=3,
        help_text=_("For URL templates and the Hugging Face API: dates tried per poll."),
    )
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_result = models.CharField(_("last result"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("digest source")
        verbose_name_plural = _("digest sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_dated(self) -> bool:
        """Whether the source publishes one digest per date (so a date range can be fetched)."""
        return self.kind == self.Kind.HF_API or (
            self.kind == self.Kind.URL and is_template(self.location)
        )

    def clean(self) -> None:
        if self.kind == self.Kind.HF_API and not self.location.strip():
            self.location = HF_API_DEFAULT_URL
        problems = {}
        problem = location_problem(kind=self.kind, location=self.location)
        if problem:
            problems["location"] = problem
        if self.days_back is not None and self.days_back > MAX_DAYS_BACK:
            # Each date is one download; the poll's work must stay bounded.
            problems["days_back"] = _("At most %(days)d days.") % {"days": MAX_DAYS_BACK}
        if problems:
            raise ValidationError(problems)


class BackfillRun(models.Model):
    """Fetching a dated source's digests for a range of past dates, one date at a time.

    The row is the progress: each date's outcome is written as soon as it is known, so a run
    whose worker was killed continues where it stopped when it is run again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        PARTIAL = "partial", _("Done with errors")

    class Outcome(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        ALREADY = "already", _("Already imported")
        NOT_PUBLISHED = "not_published", _("Not published")
        FAILED = "failed", _("Failed")

    # Outcomes a later run does not try again.
    FINAL_OUTCOMES = (Outcome.IMPORTED, Outcome.ALREADY, Outcome.NOT_PUBLISHED)

    source = models.ForeignKey(DigestSource, on_delete=models.CASCADE, related_name="backfills")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # {"2025-05-26": {"outcome": "imported", "detail": "...", "digest": 12}, ...}
    days = models.JSONField(_("days"), default=dict, blank=True)
    days_total = models.PositiveIntegerField(default=0)
    days_done = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("backfill run")
        verbose_name_plural = _("backfill runs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lte=F("end_date")), name="backfill_range_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.start_date}..{self.end_date}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.PARTIAL)

    @property
    def is_stalled(self) -> bool:
        """Not finished, and untouched for longer than any task may run: its worker is gone."""
        if self.is_finished:
            return False
        since = self.updated_at or self.started_at or self.created_at
        return since < timezone.now() - worker_gone_after()

    @property
    def day_rows(self) -> list[dict]:
        """The dates done so far, in order, each with its outcome's label (for the page)."""
        labels = dict(self.Outcome.choices)
        return [
            {"date": day, "label": labels.get(row.get("outcome"), ""), **row}
            for day, row in sorted(self.days.items())
        ]


class Digest(models.Model):
    """One imported digest file, and the record of importing it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        PARTIAL = "partial", _("Done with errors")
        FAILED = "failed", _("Failed")

    source = models.ForeignKey(
        DigestSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="digests"
    )
    origin = models.CharField(_("file or URL"), max_length=500, blank=True)
    date = models.DateField(_("digest date"), null=True, blank=True)
    format = models.CharField(_("format"), max_length=20, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, unique=True)
    content = models.TextField(_("content"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # Failures: [{"arxiv_id": "" for the whole digest, "reason": "..."}]. Warnings: the
    # parser's notes (untitled papers, failed summaries, skipped parts), plain strings.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    papers_total = models.PositiveIntegerField(default=0)
    papers_done = models.PositiveIntegerField(default=0)
    papers_new = models.PositiveIntegerField(default=0)
    papers_updated = models.PositiveIntegerField(default=0)
    papers_unchanged = models.PositiveIntegerField(default=0)
    papers_failed = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["-date"])]

    def __str__(self) -> str:
        return f"{self.date or '?'} ({self.origin or self.content_hash[:8]})"

    def get_absolute_url(self) -> str:
        return reverse("digest_import_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.PARTIAL, self.Status.FAILED)

    @property
    def is_stalled(self) -> bool:
        """Pending or running for longer than any import may take: its worker is gone."""
        if self.is_finished:
            return False
        since = self.started_at or self.created_at
        return since < timezone.now() - worker_gone_after()

    @property
    def can_retry(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.PARTIAL) or self.is_stalled

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]


class CandidatePaper(models.Model):
    # What digests supply. The importer fills these when empty, never over an organizer's edit.
    IMPORTED_FIELDS = ("title", "authors", "hf_url", "arxiv_url", "thumbnail_url", "votes")
    # What an organizer's edit protects from the importer (see `edited_fields`).
    EDIT_PROTECTED_FIELDS = (*IMPORTED_FIELDS, "first_digest_date", "last_digest_date")

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        SCHEDULED = "scheduled", _("Scheduled")
        PRESENTED = "presented", _("Presented")
        DISMISSED = "dismissed", _("Dismissed")

    arxiv_id = models.CharField(_("arXiv id"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    authors = models.TextField(_("authors"), blank=True)
    # From the arXiv API when the paper is added by its link or filled in (digests give none).
    abstract = models.TextField(_("abstract"), blank=True)
    hf_url = models.URLField(_("Hugging Face page"), blank=True, max_length=300)
    arxiv_url = models.URLField(_("arXiv page"), blank=True, max_length=300)
    thumbnail_url = models.URLField(_("thumbnail"), blank=True, max_length=500)
    votes = models.PositiveIntegerField(_("votes"), null=True, blank=True)
    first_digest_date = models.DateField(_("first seen"), null=True, blank=True)
    last_digest_date = models.DateField(_("last seen"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CANDIDATE
    )
    # Fields an organizer changed by hand; the importer never overwrites them.
    edited_fields = models.JSONField(default=list, blank=True)
    # What the pool's search looks in: title, id, authors and every summary's sections, in
    # the search form of `papers.search` (normalized, letters and digits doubled). Query it
    # through `papers.selectors`, never with `icontains`. The importer writes it in its bulk
    # queries; `save()` here and PaperSummary's keep it right for every other write. On
    # PostgreSQL a trigram GIN index serves it (migration 0005; not in Meta, as SQLite cannot
    # build it).
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    # Two short parts of `search_text` (see `papers.search`), computed by the database on
    # every write, whoever writes (the importer's bulk updates too): the title, and the
    # glossary's concept tokens. Short, untoasted columns with trigram indexes of their own on
    # PostgreSQL (migration 0010): a search ranks title matches first and finds a glossary
    # term without reading every match's whole text.
    search_title = models.GeneratedField(
        expression=Left("search_text", Greatest(StrIndex("search_text", Value(TITLE_END)) - 1, 0)),
        output_field=models.TextField(),
        db_persist=True,
    )
    search_concepts = models.GeneratedField(
        expression=Substr(
            "search_text",
            StrIndex("search_text", Value(TITLE_END)) + 1,
            Greatest(
                StrIndex("search_text", Value(CONCEPTS_END))
                - StrIndex("search_text", Value(TITLE_END))
                - 1,
                0,
            ),
        ),
        output_field=models.TextField(),
        db_persist=True,
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("candidate paper")
        verbose_name_plural = _("candidate papers")
        ordering = ["-last_digest_date", "-votes"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(arxiv_id__regex=ARXIV_VERSION_SUFFIX) & ~Q(arxiv_id=""),
                name="arxiv_id_without_version",
            ),
        ]
        indexes = [
            models.Index(fields=["-last_digest_date"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return self.title or self.arxiv_id

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or _SEARCHED_FIELDS.intersection(update_fields):
            self.search_text = self.compute_search_text()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("paper_detail", args=[self.arxiv_id])

    @property
    def url(self) -> str:
        return self.hf_url or self.arxiv_url or f"https://arxiv.org/abs/{self.arxiv_id}"

    def compute_search_text(self) -> str:
        """This paper's `search_text`, from its fields and its stored summaries."""
        sections = []
        if self.pk is not None:
            sections = list(
                PaperSummary.objects.filter(paper_id=self.pk)
                .order_by(F("digest__date").desc(nulls_last=True), "-pk")
                .values_list("sections", flat=True)
            )
        return build_search_text(
            arxiv_id=self.arxiv_id, title=self.title, authors=self.authors, summaries=sections
        )

    def refresh_search_text(self) -> None:
        """Recompute and store `search_text` alone (after its summaries changed)."""
        self.search_text = self.compute_search_text()
        CandidatePaper.objects.filter(pk=self.pk).update(search_text=self.search_text)


class PaperSummary(models.Model):
    """What one digest said about one paper: its summary as ordered sections."""

    paper = models.ForeignKey(CandidatePaper, on_delete=models.CASCADE, related_name="summaries")
    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="summaries")
    title = models.CharField(_("title as given"), max_length=500, blank=True)
    sections = models.JSONField(_("sections"), default=list)
    summary_ok = models.BooleanField(_("summary usable"), default=True)
    truncated = models.BooleanField(_("truncated"), default=False)
    problems = models.JSONField(default=list, blank=True)
    # Place of the paper in its digest (0 first), so a digest can be shown in its own order.
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("paper summary")
        verbose_name_plural = _("paper summaries")
        ordering = ["-digest__date"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "digest"], name="one_summary_per_digest"),
        ]

    def __str__(self) -> str:
        return f"{self.paper} @ {self.digest}"

    # The importer writes summaries in bulk and their papers' search text with them; a summary
    # saved or deleted one at a time (admin, shell, tests) updates its paper's here.
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _refresh_search_text(self.paper_id)

    def delete(self, *args, **kwargs):
        paper_id = self.paper_id
        result = super().delete(*args, **kwargs)
        _refresh_search_text(paper_id)
        return result

    @property
    def text(self) -> str:
        return "\n\n".join(f"{s.get('heading', '')}\n{s.get('body', '')}" for s in self.sections)


def _refresh_search_text(paper_id: int) -> None:
    paper = CandidatePaper.objects.filter(pk=paper_id).only("arxiv_id", "title", "authors").first()
    if paper is not None:
        paper.refresh_search_text()


class PaperInterest(models.Model):
    """A member's mark on a candidate: they would like to hear it, or could present it."""

    class Kind(models.TextChoices):
        HEAR = "hear", _("I'd like to hear this")
        PRESENT = "present", _("I could present this")

    paper = models.ForeignKey(CandidatePaper, on_delete=models.CASCADE, related_name="interests")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paper_interests"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("paper interest")
        verbose_name_plural = _("paper interests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "member", "kind"], name="one_interest_per_member_and_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_kind_display()} · {self.paper}"


class PaperVote(models.Model):
    """A member's vote for discussing a candidate (#13).

    Each counts against the member's weekly budget in the week it was cast
    (`papers.voting`), and on the agenda it is worth less the older it is. One vote per member
    and paper; withdrawing it deletes the row (and gives the vote back if it was cast this
    week). Not to be confused with `CandidatePaper.votes`, the digest's upvote count.
    """

    paper = models.ForeignKey(CandidatePaper, on_delete=models.CASCADE, related_name="member_votes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paper_votes"
    )
    created_at = models.DateTimeField(_("cast"), default=timezone.now)

    class Meta:
        verbose_name = _("member vote")
        verbose_name_plural = _("member votes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "member"], name="one_vote_per_member_and_paper"
            ),
        ]
        indexes = [models.Index(fields=["member", "created_at"], name="paper_vote_member_week")]

    def __str__(self) -> str:
        return f"{self.member} · {self.paper}"
