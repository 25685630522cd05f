from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from papers.services import decode_digest_bytes, max_digest_bytes

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
            texts.append((upload.name, text))
        if errors:
            raise ValidationError(errors)
        return texts
