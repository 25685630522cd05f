"""One-time form tokens: a form sent twice (double click, parallel requests) acts once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FormSubmission(models.Model):
    """A one-time form token that was used: the form's identity, so sending the same form
    again (a double click, a resent request, two at once) does nothing a second time.

    Each form page renders a fresh token; the write claims it in the same transaction, and
    the unique token lets exactly one claim through.
    """

    class Kind(models.TextChoices):
        ADD_TOPIC = "add_topic", _("Add a topic")
        INVITATIONS = "invitations", _("Invitations")

    token = models.UUIDField(_("token"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("sent by"),
    )
    # What the first submission made, when it made one thing (the topic's id).
    object_id = models.PositiveBigIntegerField(_("result"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.token}"
