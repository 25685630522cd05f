"""The log of slides PDFs uploaded to topics (#13): who uploaded which file, and when it was
replaced or removed. The file a topic shows is `Topic.slides_file`; see `seminar.materials`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seminar.models.programme import Topic


class SlidesUpload(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="slides_uploads",
        verbose_name=_("uploaded by"),
    )
    topic = models.ForeignKey(
        Topic,
        null=True,
        on_delete=models.SET_NULL,
        related_name="slides_uploads",
        verbose_name=_("topic"),
    )
    # The storage name, `slides/<uuid hex>.pdf`.
    name = models.CharField(_("file"), max_length=100, unique=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)
    # When the file was deleted from storage (replaced, removed, or its topic deleted).
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("uploaded slides")
        verbose_name_plural = _("uploaded slides")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
