"""The review editor's forms: a formset of numbered sections, each a heading and a body."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import MarkdownxWidget

from reviews import weekpage
from reviews.services import MAX_BODY_CHARS, MAX_SECTIONS

SECTIONS_PREFIX = "sections"


class SectionBodyWidget(MarkdownxWidget):
    """markdownx's editor (textarea + live preview), laid out for the review editor.

    The template lives in reviews/templates/: widgets are rendered by the form renderer,
    which looks in apps' template folders, not in the project's.
    """

    template_name = "reviews/widgets/section_body.html"


class SectionForm(forms.Form):
    heading = forms.CharField(
        label=_("Heading"),
        # Longer headings would not read back as headings from the group's page.
        max_length=weekpage.MAX_HEADING_CHARS,
        required=False,
        widget=forms.TextInput(
            attrs={"class": "section-heading", "placeholder": _("Heading"), "autocomplete": "off"}
        ),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        max_length=MAX_BODY_CHARS,
        widget=SectionBodyWidget(attrs={"rows": 5, "class": "section-body"}),
    )

    def clean_heading(self) -> str:
        # "1. 리뷰." would read back from the group's page as body text, not as a heading.
        return self.cleaned_data["heading"].rstrip(".。 ")


class BaseSectionFormSet(forms.BaseFormSet):
    def sections(self) -> list[weekpage.ReviewSection]:
        """The sections in the order the member arranged them (valid formsets only)."""
        return [
            weekpage.ReviewSection(form.cleaned_data.get("heading", ""), form.cleaned_data["body"])
            for form in self.forms
            if "body" in form.cleaned_data
        ]


SectionFormSet = forms.formset_factory(
    SectionForm,
    formset=BaseSectionFormSet,
    extra=0,
    max_num=MAX_SECTIONS,
    validate_max=True,
    absolute_max=MAX_SECTIONS,
)


def section_formset(
    data=None, *, sections: list[weekpage.ReviewSection] | None = None
) -> BaseSectionFormSet:
    """Bound to POST data, or filled with `sections`."""
    if data is not None:
        return SectionFormSet(data, prefix=SECTIONS_PREFIX)
    initial = [{"heading": s.heading, "body": s.body} for s in sections or []]
    return SectionFormSet(initial=initial, prefix=SECTIONS_PREFIX)
