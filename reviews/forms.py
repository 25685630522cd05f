"""The review editor's forms: a formset of numbered sections, each a heading and a body."""

from __future__ import annotations

from django import forms
from django.forms import widgets
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
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


def _attributes(attrs: dict) -> str:
    # As django/forms/widgets/attrs.html writes them: True is a bare name, False is left out.
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def render_field(field: BoundField) -> SafeString:
    """The field's input (a text, hidden or textarea widget) exactly as `str(field)` writes
    it, without the template engine: the editor draws a few of these on every load and
    the widget templates were most of its cost. Other widgets go the usual way.

    Only the <textarea> of `SectionBodyWidget`: its preview around it is in the editor's
    template (`reviews/_section_form.html`)."""
    widget = field.field.widget
    # Widgets drawn by django/forms/widgets/input.html or textarea.html, and nothing else.
    simple = widgets.TextInput | widgets.HiddenInput | widgets.NumberInput | widgets.Textarea
    if not isinstance(widget, simple) or field.field.localize:
        return field.as_widget()
    attrs = field.build_widget_attrs({})
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    if isinstance(widget, MarkdownxWidget):
        # What MarkdownxWidget.render does before the template's context is built.
        attrs.update(widget.attrs)
        attrs.update(widget.add_markdownx_attrs(attrs))
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    name = conditional_escape(context["name"])
    value = context["value"]
    if isinstance(widget, widgets.Textarea):
        text = conditional_escape(value) if value else ""
        return mark_safe(
            f'<textarea name="{name}"{_attributes(context["attrs"])}>\n{text}</textarea>'
        )
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return mark_safe(
        f'<input type="{context["type"]}" name="{name}"{shown}{_attributes(context["attrs"])}>'
    )
