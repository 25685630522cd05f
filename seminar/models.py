"""The seminar's domain: members, terms, weeks, topics and reviewer slots.

Rules that must never be broken (one slot per member per topic, unique numbers) are database
constraints, so no code path, admin edit or race can get around them.
"""

from __future__ import annotations

import secrets
import unicodedata
from datetime import time, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MemberManager(UserManager):
    """Users are identified by email; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):  # type: ignore[override]
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


# Characters a name must not carry: control characters (CR, LF, NUL, ESC…: they break calendar
# lines and inject lines into exported pages), invisible format characters (zero-width spaces,
# bidi overrides that reorder what is shown) and the Unicode line and paragraph separators.
_NOT_IN_NAMES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def normalize_display_name(value: str) -> str:
    """A name as shown to the group: on one line, without control or invisible characters.

    Control characters and separators become spaces, format characters (Cf) are dropped, and
    runs of whitespace become one space. Every path that sets a name goes through this: the
    sign-up and settings forms, and `User.save()` (the admin, commands, anything else).
    """
    kept = []
    for char in value:
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        kept.append(" " if category in _NOT_IN_NAMES else char)
    return " ".join("".join(kept).split())


def validate_display_name(value: str) -> None:
    """Refuse what `normalize_display_name` would have to remove (the admin's form shows it)."""
    if any(unicodedata.category(char) in _NOT_IN_NAMES for char in value):
        raise ValidationError(
            _("A name cannot contain line breaks, tabs, or invisible or control characters."),
            code="control_characters",
        )


class User(AbstractUser):
    """A member of the reading group."""

    class Language(models.TextChoices):
        KOREAN = "ko", "한국어"
        ENGLISH = "en", "English"

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(
        _("display name"),
        max_length=100,
        blank=True,
        help_text=_("As shown to the group, e.g. 박민경."),
        validators=[validate_display_name],
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.KOREAN
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Seoul")
    email_weekly = models.BooleanField(_("weekly reminder emails"), default=True)
    email_deadlines = models.BooleanField(_("deadline reminder emails"), default=True)
    email_assignments = models.BooleanField(_("assignment emails"), default=True)
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = MemberManager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["name", "email"]

    def __str__(self) -> str:
        return self.name or self.email

    def save(self, *args, **kwargs):
        # Whatever path set the name (admin, command, shell), it is stored on one line.
        self.name = normalize_display_name(self.name or "")
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def is_organizer(self) -> bool:
        from seminar.permissions import is_organizer

        return is_organizer(self)


# How long an invitation link can be used.
INVITATION_LIFETIME = timedelta(days=30)


class Invitation(models.Model):
    """An organizer's invitation to sign up with a given email address.

    An address has at most one invitation that was not accepted (a constraint, so two
    organizers or a double-clicked form cannot mail it twice); an expired one is renewed in
    place with a new link.
    """

    email = models.EmailField(_("email address"))
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=Q(accepted_at__isnull=True),
                name="one_open_invitation_per_email",
                violation_error_message=_("This address already has an invitation."),
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs):
        if not self.token:
            self.token = secrets.token_urlsafe(32)
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("accept_invitation", args=[self.token])

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.created_at > timezone.now() - INVITATION_LIFETIME


class Term(models.Model):
    """A run of weeks, e.g. "2025 가을"."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="term_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Week(models.Model):
    class LatePolicy(models.TextChoices):
        MARK_LATE = "mark", _("Accept and mark late")
        REFUSE = "refuse", _("Refuse after the deadline")

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="weeks")
    number = models.PositiveSmallIntegerField(_("week number"))
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    review_deadline = models.DateTimeField(_("review deadline"))
    late_policy = models.CharField(
        _("late reviews"), max_length=10, choices=LatePolicy.choices, default=LatePolicy.MARK_LATE
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = pgettext_lazy("seminar session", "week")
        verbose_name_plural = pgettext_lazy("seminar session", "weeks")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="week_number_unique_in_term"),
            models.CheckConstraint(condition=Q(number__gte=1), name="week_number_positive"),
        ]
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["review_deadline"])]

    def __str__(self) -> str:
        return f"{self.term} · {self.number}주차"

    def get_absolute_url(self) -> str:
        return reverse("week_detail", args=[self.pk])

    @property
    def deadline_passed(self) -> bool:
        return timezone.now() > self.review_deadline


class Topic(models.Model):
    week = models.ForeignKey(Week, on_delete=models.CASCADE, related_name="topics")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=500)
    paper = models.ForeignKey(
        "papers.CandidatePaper",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
        verbose_name=_("paper"),
    )
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="presentations",
        verbose_name=_("presenter"),
    )
    slides_url = models.URLField(_("slides"), blank=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["week", "order"]
        constraints = [
            models.UniqueConstraint(fields=["week", "order"], name="topic_order_unique_in_week"),
            models.CheckConstraint(condition=Q(order__gte=1), name="topic_order_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class ReviewerSlot(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="slots")
    number = models.PositiveSmallIntegerField(_("number"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewer_slots",
        verbose_name=_("reviewer"),
    )

    class Meta:
        verbose_name = _("reviewer slot")
        verbose_name_plural = _("reviewer slots")
        ordering = ["topic", "number"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "number"], name="slot_number_unique_in_topic"),
            # NULL reviewers (open slots) are distinct, so any number of slots may be open.
            models.UniqueConstraint(
                fields=["topic", "reviewer"], name="one_slot_per_member_per_topic"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="slot_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} · 리뷰 {self.number}"

    @property
    def current_review(self):
        """The slot's review (draft or submitted), or None. The one way to ask: the reverse
        one-to-one raises when there is none, and a prefetched slot answers without a query."""
        return getattr(self, "review", None)

    @property
    def is_open(self) -> bool:
        return self.reviewer_id is None


class AssignmentChange(models.Model):
    """One change to who presents or reviews what: the audit trail, and what assignment emails
    are sent from."""

    class Role(models.TextChoices):
        PRESENTER = "presenter", _("Presenter")
        REVIEWER = "reviewer", _("Reviewer")

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="assignment_changes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignment_changes"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    assigned = models.BooleanField(
        _("assigned"), help_text=_("False when the role was taken away.")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("assignment change")
        verbose_name_plural = _("assignment changes")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["member", "-created_at"])]

    def __str__(self) -> str:
        verb = "+" if self.assigned else "−"
        return f"{verb}{self.get_role_display()} {self.member} · {self.topic}"


def validate_day_offsets(value: str) -> None:
    """A comma-separated list of whole days, e.g. "7, 1"; empty means "never"."""
    from django.core.exceptions import ValidationError

    for part in value.split(","):
        part = part.strip()
        if part and not (part.isdigit() and 0 <= int(part) <= 60):
            raise ValidationError(
                _("Use whole days between 0 and 60, separated by commas, e.g. 7, 1.")
            )


def parse_day_offsets(value: str) -> tuple[int, ...]:
    return tuple(sorted({int(p) for p in value.split(",") if p.strip().isdigit()}, reverse=True))


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

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        GAVE_UP = "gave_up", _("Failed permanently")
        CANCELLED = "cancelled", _("No longer needed")

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


# --- scheduling (issue 5) ---------------------------------------------------------------------


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
