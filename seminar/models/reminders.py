"""The reminder policy (one row, edited by organizers) and the log of every email sent."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from seminar.models.programme import Week


def validate_day_offsets(value: str) -> None:
    """A comma-separated list of whole days, e.g. "7, 1"; empty means "never"."""
    from django.core.exceptions import ValidationError

    for part in value.split(","):
        part = part.strip()
        if part and not (part.isascii() and part.isdigit() and 0 <= int(part) <= 60):
            raise ValidationError(
                _("Use whole days between 0 and 60, separated by commas, e.g. 7, 1.")
            )


def parse_day_offsets(value: str) -> tuple[int, ...]:
    return tuple(
        sorted(
            {int(p) for p in value.split(",") if p.strip().isascii() and p.strip().isdigit()},
            reverse=True,
        )
    )


class EmailStatus(models.TextChoices):
    """Where an outgoing email of the outbox pattern stands: reminders and notification emails
    are queued rows first, and only whoever moves one from queued to sending sends it."""

    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    GAVE_UP = "gave_up", _("Failed permanently")
    CANCELLED = "cancelled", _("No longer needed")


class ReminderPolicy(models.Model):
    """When deadline reminders go out and when nobody is mailed: one row, edited in the admin.

    The weekly reminder's own time is its django-celery-beat schedule, also in the admin.
    """

    presenter_days_before = models.CharField(
        _("presenters: days before their week"),
        max_length=50,
        default="7, 1",
        blank=True,
        validators=[validate_day_offsets],
    )
    reviewer_days_before = models.CharField(
        _("reviewers: days before the review deadline"),
        max_length=50,
        default="3, 1",
        blank=True,
        validators=[validate_day_offsets],
    )
    reviewer_days_after = models.CharField(
        _("reviewers: days after a missed deadline"),
        max_length=50,
        default="1",
        blank=True,
        validators=[validate_day_offsets],
    )
    quiet_hours_start = models.TimeField(
        _("quiet hours start"),
        default=time(22, 0),
        help_text=_("No reminder is sent from this time until the end, in each member's zone."),
    )
    quiet_hours_end = models.TimeField(_("quiet hours end"), default=time(8, 0))
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts before giving up on an address"), default=5
    )

    class Meta:
        verbose_name = _("reminder policy")
        verbose_name_plural = _("reminder policy")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="reminder_policy_is_a_singleton"),
        ]

    def __str__(self) -> str:
        return str(_("Reminder policy"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> ReminderPolicy:
        """The saved policy, or the defaults; never writes (a dry run must not)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class SentReminder(models.Model):
    """The log of reminder emails, and the claim that makes each one go out at most once.

    A row is written (queued) before anything is sent; the unique constraint means a second
    run, a retry or a second worker can never queue the same email again, and a row is sent
    only by whoever moves it from queued to sending in one conditional UPDATE.
    """

    class Kind(models.TextChoices):
        WEEKLY_REVIEWER = "weekly_reviewer", _("Weekly reminder to a reviewer")
        WEEKLY_PRESENTER = "weekly_presenter", _("Weekly reminder to a presenter")
        WEEKLY_SUMMARY = "weekly_summary", _("Weekly summary for organizers")
        PRESENTER_DEADLINE = "presenter_deadline", _("Presenter reminder before the week")
        REVIEWER_DEADLINE = "reviewer_deadline", _("Reviewer reminder before the deadline")
        REVIEWER_OVERDUE = "reviewer_overdue", _("Reviewer reminder after the deadline")
        ASSIGNMENT = "assignment", _("Assignment notice")

    Status = EmailStatus

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sent_reminders",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What the email is about, e.g. "week:12:-3d" or "change:40": with recipient and kind, the
    # identity of one email.
    key = models.CharField(_("key"), max_length=100)
    week = models.ForeignKey(
        Week,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=pgettext_lazy("seminar session", "week"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # Not before this moment: quiet hours and retry backoff both move it later.
    send_after = models.DateTimeField(_("send after"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    address = models.EmailField(_("address"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder email")
        verbose_name_plural = _("reminder emails")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key"], name="reminder_once_per_recipient"
            ),
        ]
        indexes = [models.Index(fields=["status", "send_after"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient} ({self.key})"
