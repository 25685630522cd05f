"""The discussion's forms: a comment (markdownx's editor, as reviews have), hiding a comment,
and the notification settings."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import MarkdownxWidget

from seminar.discussion.services import MAX_HIDE_REASON_CHARS
from seminar.models import Comment, NotificationSettings
from seminar.models.discussion import MAX_COMMENT_CHARS


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=MAX_COMMENT_CHARS,
        strip=False,
        widget=MarkdownxWidget(
            attrs={
                "rows": 4,
                "class": "comment-body",
                "data-mention-input": "",
                "data-members-url": reverse_lazy("discussion_members"),
                "autocomplete": "off",
            }
        ),
        help_text=_(
            "Markdown and $math$. Mention a member with @name, or @[name] when it has spaces."
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Comment.Kind.choices,
        initial=Comment.Kind.COMMENT,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, prefix_id: str = "comment", questions: bool = False, **kwargs):
        kwargs.setdefault("auto_id", f"id_{prefix_id}_%s")
        super().__init__(*args, **kwargs)
        if not questions:
            del self.fields["kind"]

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or Comment.Kind.COMMENT


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to members)"), max_length=MAX_HIDE_REASON_CHARS, required=False
    )


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["mention", "question", "reply", "new_review", "digest_hour"]
