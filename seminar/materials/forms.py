"""The small materials forms on the week page (and their own pages, for a bound re-render)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from seminar.materials.rules import MAX_LINK_CHARS


def _link_field(label, help_text=""):
    # A plain text field: the service's rule (`rules.link_problem`) is the one that decides,
    # so "javascript:…" gets its own message rather than the browser's.
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_LINK_CHARS,
        help_text=help_text,
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "url"}),
    )


class TopicMaterialsForm(forms.Form):
    slides_url = _link_field(_("Slides link"), _("Or upload a PDF below."))
    code_url = _link_field(_("Code link"))
    remove_slides_pdf = forms.BooleanField(label=_("Remove the uploaded PDF"), required=False)
    # Last in the form: an upload stopped at the size limit leaves the fields before it read.
    slides_pdf = forms.FileField(
        label=_("Slides PDF"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, topic=None, **kwargs):
        if topic is not None and "initial" not in kwargs:
            kwargs["initial"] = {"slides_url": topic.slides_url, "code_url": topic.code_url}
        super().__init__(*args, **kwargs)
        if topic is None or not topic.slides_file:
            del self.fields["remove_slides_pdf"]


class WeekMaterialsForm(forms.Form):
    online_url = _link_field(_("Meeting link"))
    recording_url = _link_field(_("Recording link"))

    def __init__(self, *args, week=None, **kwargs):
        if week is not None and "initial" not in kwargs:
            kwargs["initial"] = {"online_url": week.online_url, "recording_url": week.recording_url}
        super().__init__(*args, **kwargs)
