"""The programme: terms, weeks, topics, reviewer slots and the history of who was assigned."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
