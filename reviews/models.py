"""Reviews: one per reviewer slot, written as numbered sections of markdown."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seminar.lib.markdown import render_markdown


class Review(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    slot = models.OneToOneField(
        "seminar.ReviewerSlot", on_delete=models.CASCADE, related_name="review"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
        verbose_name=_("author"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    is_late = models.BooleanField(_("late"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["slot"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="submitted_review_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.slot} ({self.get_status_display()})"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class ReviewSection(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("order"))
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    # Rendered once on save: pages never run markdown on the read path.
    body_html = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("review section")
        verbose_name_plural = _("review sections")
        ordering = ["review", "order"]
        constraints = [
            models.UniqueConstraint(fields=["review", "order"], name="section_order_unique"),
            models.CheckConstraint(condition=Q(order__gte=1), name="section_order_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.heading}"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)


class MemberUpload(models.Model):
    """An image a member uploaded through the review editor (see `reviews.uploads`): what
    counts against their quota, and what the orphan sweep may delete once no review uses it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="uploads",
        verbose_name=_("owner"),
    )
    # The storage name, `markdownx/<uuid hex>.<ext>`.
    name = models.CharField(_("file"), max_length=100, unique=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("uploaded image")
        verbose_name_plural = _("uploaded images")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
