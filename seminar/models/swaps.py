"""Swaps and substitutes: a presenter or reviewer offers their role, another member takes it.

The rules (who may offer, take, approve) are in `seminar.scheduling.swaps`; the database
keeps what must never be broken: one live offer per role, and nobody takes their own offer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seminar.models.programme import AssignmentChange, ReviewerSlot, Topic


class SlotOffer(models.Model):
    """A role (a reviewer slot, or a topic's presenter role) offered by its holder."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PENDING = "pending", _("Waiting for an organizer")
        TAKEN = "taken", _("Taken")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DECLINED = "declined", _("Declined")

    LIVE = (Status.OPEN, Status.PENDING)

    Role = AssignmentChange.Role

    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="offers", verbose_name=_("topic")
    )
    # The reviewer slot offered; empty when the presenter role is offered.
    slot = models.ForeignKey(
        ReviewerSlot,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name=_("reviewer slot"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="slot_offers",
        verbose_name=_("offered by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("offered at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    taker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("taken by"),
    )
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("slot offer")
        verbose_name_plural = _("slot offers")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="reviewer") & Q(slot__isnull=False))
                | (Q(role="presenter") & Q(slot__isnull=True)),
                name="slot_offer_role_matches_slot",
            ),
            # One live offer per role: a double click, or two tabs, make one offer.
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(status__in=["open", "pending"], slot__isnull=False),
                name="one_live_offer_per_slot",
            ),
            models.UniqueConstraint(
                fields=["topic"],
                condition=Q(status__in=["open", "pending"], role="presenter"),
                name="one_live_offer_per_presenter_role",
            ),
            models.CheckConstraint(
                condition=Q(taker__isnull=True) | ~Q(taker=models.F("offered_by")),
                name="slot_offer_not_taken_by_its_holder",
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        if self.role == self.Role.PRESENTER:
            return f"{self.topic} · {self.get_role_display()} · {self.get_status_display()}"
        return f"{self.slot} · {self.get_status_display()}"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    @property
    def is_presenter_role(self) -> bool:
        return self.role == self.Role.PRESENTER
