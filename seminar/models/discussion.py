"""Discussion between meetings (#15): comments and questions, reactions, and the notifications
members get about them, with the settings that say how, and the log of the emails sent.

The rules live in `seminar.discussion`; here are the fields and the constraints no code path
may get around: a comment is about exactly one thing, a member reacts once per kind, a member
is told once per event, and an email goes out once per key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from seminar.models.programme import Topic
from seminar.models.reminders import EmailStatus

# A comment is a few paragraphs; this only stops abuse.
MAX_COMMENT_CHARS = 10_000


class Comment(models.Model):
    """A comment on a topic (the week's paper), on a submitted review, or on a candidate
    paper; a reply (one level deep) has the same target as its parent. A question for the
    presenter is a top-level comment on a topic."""

    class Kind(models.TextChoices):
        COMMENT = "comment", pgettext_lazy("discussion", "Comment")
        QUESTION = "question", _("Question for the presenter")

    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    review = models.ForeignKey(
        "reviews.Review", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    paper = models.ForeignKey(
        "papers.CandidatePaper",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        verbose_name=_("author"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    body = models.TextField(_("text"), max_length=MAX_COMMENT_CHARS)
    # Rendered once on save by `seminar.discussion.mentions.render_comment` (markdown through
    # the one sanitizer, then mentions as spans): pages never run markdown on the read path.
    body_html = models.TextField(editable=False, blank=True)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("mentions")
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("marked answered by"),
    )

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(topic__isnull=False, review__isnull=True, paper__isnull=True)
                    | Q(topic__isnull=True, review__isnull=False, paper__isnull=True)
                    | Q(topic__isnull=True, review__isnull=True, paper__isnull=False)
                ),
                name="comment_has_one_target",
            ),
            models.CheckConstraint(
                condition=Q(kind="comment") | Q(topic__isnull=False, parent__isnull=True),
                name="question_is_top_level_on_a_topic",
            ),
        ]
        indexes = [
            models.Index(fields=["topic", "created_at"]),
            models.Index(fields=["review", "created_at"]),
            models.Index(fields=["paper", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} · {self.author}"

    @property
    def is_question(self) -> bool:
        return self.kind == self.Kind.QUESTION

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Reaction(models.Model):
    """One member's reaction of one kind to a review or a comment (toggled)."""

    class Kind(models.TextChoices):
        HELPFUL = "helpful", _("Helpful")
        AGREE = "agree", _("Agree")
        QUESTION = "question", pgettext_lazy("reaction", "Question")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions"
    )
    review = models.ForeignKey(
        "reviews.Review",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reactions",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.CheckConstraint(
                condition=Q(comment__isnull=False, review__isnull=True)
                | Q(comment__isnull=True, review__isnull=False),
                name="reaction_has_one_target",
            ),
            models.UniqueConstraint(
                fields=["member", "kind", "comment"],
                condition=Q(comment__isnull=False),
                name="one_reaction_per_kind_per_comment",
            ),
            models.UniqueConstraint(
                fields=["member", "kind", "review"],
                condition=Q(review__isnull=False),
                name="one_reaction_per_kind_per_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_kind_display()}"


class Channel(models.TextChoices):
    """How a member hears about one kind of notification."""

    EMAIL = "email", _("Email right away")
    DIGEST = "digest", _("In the daily digest email")
    APP = "app", _("In the app only")


def _hour_choices() -> list[tuple[int, str]]:
    return [(hour, f"{hour:02d}:00") for hour in range(24)]


class NotificationSettings(models.Model):
    """A member's choices; a member without a row has the defaults (`for_member`)."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    reply = models.CharField(
        _("replies and comments on your reviews"),
        max_length=10,
        choices=Channel.choices,
        default=Channel.DIGEST,
    )
    mention = models.CharField(
        _("mentions of you"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    question = models.CharField(
        _("questions for your presentations"),
        max_length=10,
        choices=Channel.choices,
        default=Channel.EMAIL,
    )
    new_review = models.CharField(
        _("new reviews of topics you present"),
        max_length=10,
        choices=Channel.choices,
        default=Channel.DIGEST,
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("daily digest at"),
        choices=_hour_choices(),
        default=9,
        help_text=_("In your time zone; moved to the end of the quiet hours if inside them."),
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")
        constraints = [
            models.CheckConstraint(condition=Q(digest_hour__lte=23), name="digest_hour_valid"),
        ]

    def __str__(self) -> str:
        return str(self.member)

    def channel_for(self, kind: str) -> str:
        return getattr(self, kind)


class NotificationEmail(models.Model):
    """The log of notification emails, and the claim that makes each go out at most once:
    one row per (recipient, key), the key being `n:<notification id>` for an email sent right
    away and `digest:<local date>` for a member's daily digest. As `SentReminder`: a row is
    queued before anything is sent, and only whoever moves it from queued to sending in one
    conditional UPDATE sends it."""

    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", _("Notification")
        DIGEST = "digest", _("Daily digest")

    Status = EmailStatus

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_emails",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    send_after = models.DateTimeField(_("send after"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    address = models.EmailField(_("address"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification email")
        verbose_name_plural = _("notification emails")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="notification_email_once_per_key"
            ),
        ]
        indexes = [models.Index(fields=["status", "send_after"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient} ({self.key})"


class Notification(models.Model):
    """Something a member is told in the app (the bell), and perhaps by email."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply or comment on your review")
        MENTION = "mention", _("Mention")
        QUESTION = "question", _("Question for you")
        NEW_REVIEW = "new_review", _("New review of your topic")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # The event: `comment:<id>` or `review:<id>`. With the recipient, unique: a member is
    # told once about one event, whatever retried or ran twice.
    key = models.CharField(_("key"), max_length=100)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    review = models.ForeignKey(
        "reviews.Review",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # What it is about and where it is, fixed when it is made: the list never joins.
    subject = models.CharField(_("about"), max_length=500, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email = models.ForeignKey(
        NotificationEmail,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        verbose_name=_("email"),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="notification_once_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient} ({self.key})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
