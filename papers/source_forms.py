"""The in-app form for a digest source (organizers). The location is judged by the model's
`clean()`, i.e. `papers.sources.location_problem`: http(s) only, no credentials, no literal
private or loopback address, folders only under `DIGEST_FOLDER_ROOTS`; the fetch checks the
resolved addresses again at connect time."""

from __future__ import annotations

from django import forms

from papers.models import DigestSource


class DigestSourceForm(forms.ModelForm):
    class Meta:
        model = DigestSource
        fields = ["name", "kind", "location", "days_back", "enabled"]
        widgets = {
            "location": forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
            "days_back": forms.NumberInput(attrs={"min": 0}),
        }
