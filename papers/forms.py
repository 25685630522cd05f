from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from papers import arxiv
from papers.models import CandidatePaper, PaperInterest
from papers.selectors import STATUS_ALL, PoolFilters
from papers.text import decode_digest_bytes, max_digest_bytes

DIGEST_UPLOAD_ACCEPT = ".md,.txt,.markdown,text/markdown,text/plain"


def max_upload_files() -> int:
    return int(getattr(settings, "DIGEST_UPLOAD_MAX_FILES", 50))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one `<input type=file multiple>` (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": DIGEST_UPLOAD_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            if not data:  # nothing chosen: the "required" error
                return [super().clean(None, initial)]
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


# Files that are certainly not a markdown or text digest, by their name.
_NOT_MARKDOWN_SUFFIXES = frozenset(
    {".json", ".csv", ".pdf", ".zip", ".gz", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".docx"}
)
# A text with more control characters than this share is binary, whatever it decodes to.
_MAX_CONTROL_SHARE = 0.01


def not_a_markdown_digest(name: str, text: str) -> str | None:
    """Why this upload is not a markdown or text digest, or None. Judged by the file's name
    and its content (a JSON document or binary data is refused even when renamed .md)."""
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix in _NOT_MARKDOWN_SUFFIXES:
        return _("a %(suffix)s file is not a digest; upload the markdown or text file.") % {
            "suffix": suffix
        }
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(8, len(sample) * _MAX_CONTROL_SHARE):
        return _("this is binary data, not a markdown or text digest.")
    stripped = sample.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("{", "["):
        try:
            json.loads(text)
        except ValueError:
            return None  # markdown may start with a bracket (a link); only real JSON is refused
        return _("this is a JSON document, not a markdown digest.")
    return None


class DigestUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Digest files"),
        help_text=_("Markdown or text files of daily digests; choose one or many."),
    )

    def clean_files(self) -> list[tuple[str, str]]:
        """Every file as (name, text); one bad file rejects the upload, naming the file."""
        uploads = self.cleaned_data["files"]
        if len(uploads) > max_upload_files():
            raise ValidationError(
                _("Upload at most %(count)d files at a time.") % {"count": max_upload_files()},
                code="too_many",
            )
        limit = max_digest_bytes()
        errors, texts = [], []
        for upload in uploads:
            if upload.size > limit:
                errors.append(
                    ValidationError(
                        _("%(name)s is %(size)s; the limit is %(limit)s.")
                        % {
                            "name": upload.name,
                            "size": filesizeformat(upload.size),
                            "limit": filesizeformat(limit),
                        },
                        code="too_large",
                    )
                )
                continue
            data = upload.read()
            try:
                text = decode_digest_bytes(data, strict=True)
            except ValidationError as exc:
                errors.append(
                    ValidationError(f"{upload.name}: {' '.join(exc.messages)}", code="encoding")
                )
                continue
            if not text.replace("\x00", "").strip():
                errors.append(
                    ValidationError(_("%(name)s is empty.") % {"name": upload.name}, code="empty")
                )
                continue
            reason = not_a_markdown_digest(upload.name, text)
            if reason:
                errors.append(ValidationError(f"{upload.name}: {reason}", code="not_markdown"))
                continue
            texts.append((upload.name, text))
        if errors:
            raise ValidationError(errors)
        return texts


class PoolFilterForm(forms.Form):
    """The candidate pool's search and filters (GET). A bad value is ignored, not fatal."""

    STATUS_CHOICES = [
        ("", _("Not dismissed")),
        (STATUS_ALL, _("Any status")),
        *CandidatePaper.Status.choices,
    ]
    SUMMARY_CHOICES = [("", _("Any")), ("yes", _("With a summary")), ("no", _("Without"))]
    SORT_CHOICES = [
        # With a search: title matches first (papers.selectors._relevance); without: by date.
        ("relevance", _("Best match, then newest")),
        ("date", _("Newest digest")),
        ("votes", _("Votes")),
        ("interest", _("Members' interest")),
    ]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Title, author or summary: 강화 학습, RL…")}
        ),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    seen_from = forms.DateField(
        label=_("In a digest from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    seen_to = forms.DateField(
        label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    summary = forms.ChoiceField(
        label=pgettext_lazy("paper filter", "Summary"), required=False, choices=SUMMARY_CHOICES
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def filters(self) -> PoolFilters:
        """The filters asked for; a field with an invalid value counts as not given."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return PoolFilters(
            query=data.get("q") or "",
            status=data.get("status") or "",
            seen_from=data.get("seen_from"),
            seen_to=data.get("seen_to"),
            summary=data.get("summary") or "",
            sort=data.get("sort") or "relevance",
        )


class InterestForm(forms.Form):
    kind = forms.ChoiceField(choices=PaperInterest.Kind.choices)
    # "1" to mark, "0" to unmark; absent: toggle.
    marked = forms.ChoiceField(choices=[("1", "1"), ("0", "0")], required=False)


class VoteForm(forms.Form):
    """Vote for a paper, or withdraw the vote (#13, `papers.voting`)."""

    action = forms.ChoiceField(choices=[("vote", "vote"), ("withdraw", "withdraw")])


class PaperStatusForm(forms.Form):
    action = forms.ChoiceField(choices=[("dismiss", "dismiss"), ("restore", "restore")])


class PaperReferenceForm(forms.Form):
    """Add a paper to the pool by a link or an id (organizers)."""

    reference = forms.CharField(
        label=_("Link or arXiv id"),
        max_length=arxiv.MAX_REFERENCE_CHARS,
        help_text=_(
            "An arxiv.org, huggingface.co/papers or alphaxiv link, arXiv:1706.03762, "
            "or an old-style id such as hep-th/9901001."
        ),
        widget=forms.TextInput(
            attrs={"placeholder": "https://arxiv.org/abs/1706.03762", "autocomplete": "off"}
        ),
    )

    def clean_reference(self) -> str:
        """The pasted text, once it is known to name an arXiv id (the service reads it again)."""
        value = self.cleaned_data["reference"]
        try:
            arxiv.parse_reference(value)
        except arxiv.InvalidReference as exc:
            raise ValidationError(exc.message, code="reference") from exc
        return value


_WEB_LINK = URLValidator(schemes=["http", "https"])


def _link_field(label, model_field: str) -> forms.URLField:
    return forms.URLField(
        label=label,
        required=False,
        max_length=CandidatePaper._meta.get_field(model_field).max_length,
        assume_scheme="https",
        validators=[_WEB_LINK],  # no ftp:, and never javascript: in an href
    )


class PaperEditForm(forms.Form):
    """An organizer's corrections to what imports got wrong; saved as organizer edits."""

    title = forms.CharField(
        label=_("Title"), max_length=CandidatePaper._meta.get_field("title").max_length
    )
    authors = forms.CharField(
        label=_("Authors"),
        required=False,
        max_length=arxiv.AUTHORS_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Separated by commas."),
    )
    hf_url = _link_field(_("Hugging Face page"), "hf_url")
    arxiv_url = _link_field(_("arXiv page"), "arxiv_url")

    @classmethod
    def for_paper(cls, paper: CandidatePaper, data=None) -> PaperEditForm:
        initial = {name: getattr(paper, name) for name in cls.base_fields}
        return cls(data, initial=initial, prefix="edit")


class PaperMergeForm(forms.Form):
    """The paper a duplicate is merged into: its arXiv id or link (organizers)."""

    into = forms.CharField(
        label=_("Merge into the paper with this arXiv id"),
        max_length=arxiv.MAX_REFERENCE_CHARS,
        help_text=_(
            "This page's paper is the duplicate: its summaries, interest marks and topics move "
            "to the other paper, and this one is deleted."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    @classmethod
    def for_paper(cls, data=None) -> PaperMergeForm:
        return cls(data, prefix="merge")

    def clean_into(self) -> CandidatePaper:
        value = self.cleaned_data["into"].strip()
        # The id as stored first (any id a digest gave), then as a link or id would name it.
        paper = CandidatePaper.objects.filter(arxiv_id=value).first()
        if paper is None:
            try:
                value = arxiv.parse_reference(value)
            except arxiv.InvalidReference as exc:
                raise ValidationError(exc.message, code="reference") from exc
            paper = CandidatePaper.objects.filter(arxiv_id=value).first()
        if paper is None:
            raise ValidationError(
                _("No candidate paper has the arXiv id %(id)s.") % {"id": value}, code="unknown"
            )
        return paper


class BackfillForm(forms.Form):
    """A range of past dates to fetch from a dated source (checked by `start_backfill`)."""

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, source_id: int, **kwargs):
        # One form per source on the page: the prefix keeps their ids apart.
        super().__init__(*args, prefix=f"backfill-{source_id}", **kwargs)
