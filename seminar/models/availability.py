"""Dates a member cannot take part (suggestions skip them, conflicts flag them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Unavailability(models.Model):
    """A date a member cannot take part: no role is suggested to them for a week on that day,
    and a role they hold anyway is flagged on the schedule board."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="unavailable_dates",
        verbose_name=_("member"),
    )
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("unavailable date")
        verbose_name_plural = _("unavailable dates")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["member", "date"], name="unavailable_once_per_date"),
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.member} · {self.date.isoformat()}"
