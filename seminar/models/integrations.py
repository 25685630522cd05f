"""Where the group already is (#16): its git repository of week pages, kept in sync both
ways, and its chat channels.

Secrets (an HTTPS token, an SSH deploy key, a webhook URL, a signing secret) are stored in
these rows and never rendered again once saved: forms show "set · replace", the admin does not
register these models, and exports do not read them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seminar.models.programme import Week

DEFAULT_PATH_TEMPLATE = "weeks/{term}/{number:02d}.md"
INDEX_START = "<!-- seminar:index:start -->"
INDEX_END = "<!-- seminar:index:end -->"


class RepositoryConnection(models.Model):
    """A git repository the week pages are published to and read back from."""

    class Auth(models.TextChoices):
        NONE = "none", _("None (a public repository, or a local one)")
        TOKEN = "token", _("HTTPS token")
        SSH_KEY = "ssh_key", _("SSH deploy key")

    class SecretSource(models.TextChoices):
        FIELD = "field", _("Stored here")
        ENV = "env", _("An environment variable of the server")

    class CoAuthors(models.TextChoices):
        ANONYMOUS = "anonymous", _("Name with a placeholder address")
        EMAIL = "email", _("Name with the member's email address")

    name = models.CharField(_("name"), max_length=100)
    url = models.CharField(_("repository URL"), max_length=500)
    branch = models.CharField(_("branch"), max_length=100, default="main")
    auth = models.CharField(_("authentication"), max_length=10, choices=Auth.choices)
    secret_source = models.CharField(
        _("secret from"), max_length=10, choices=SecretSource.choices, default=SecretSource.FIELD
    )
    secret_env = models.CharField(_("environment variable"), max_length=100, blank=True)
    # The token or private key itself: write-only in every form, never rendered.
    secret = models.TextField(blank=True)
    ssh_known_hosts = models.TextField(_("SSH host key (known_hosts line)"), blank=True)
    path_template = models.CharField(
        _("path of a week page"), max_length=200, default=DEFAULT_PATH_TEMPLATE
    )
    index_path = models.CharField(_("index page"), max_length=200, default="README.md", blank=True)
    co_authors = models.CharField(
        _("co-authors in commits"),
        max_length=10,
        choices=CoAuthors.choices,
        default=CoAuthors.ANONYMOUS,
    )
    enabled = models.BooleanField(_("publish changes"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_pushed_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("repository connection")
        verbose_name_plural = _("repository connections")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_secret(self) -> bool:
        return bool(self.secret) if self.secret_source == self.SecretSource.FIELD else False


class PublishedPage(models.Model):
    """What the app last published (or imported) for a week: the repository's blob is
    compared with this to notice an edit made in the repository."""

    connection = models.ForeignKey(
        RepositoryConnection, on_delete=models.CASCADE, related_name="published_pages"
    )
    week = models.ForeignKey(Week, on_delete=models.CASCADE, related_name="published_pages")
    path = models.CharField(max_length=500)
    blob_sha = models.CharField(max_length=64)
    text = models.TextField()
    commit_sha = models.CharField(max_length=64, blank=True)
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "week"], name="published_page_one_per_week"
            ),
        ]

    def __str__(self) -> str:
        return self.path


class PendingPublication(models.Model):
    """A week whose change is owed to the repository. It stays until the push succeeded, so
    an unreachable repository never loses the change."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be pushed")
        HELD = "held", _("Held: the repository has changes to review")

    connection = models.ForeignKey(
        RepositoryConnection, on_delete=models.CASCADE, related_name="pending_publications"
    )
    week = models.ForeignKey(Week, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    reasons = models.JSONField(default=list)  # what changed, for the commit message
    co_author_ids = models.JSONField(default=list)  # members who made the change
    revision = models.PositiveIntegerField(default=1)  # grows with every change noted
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "week"], name="pending_publication_one_per_week"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.connection_id}:{self.week_id}"


class IncomingChange(models.Model):
    """A week page edited in the repository since the app last published it."""

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        IMPORTED = "imported", _("Imported from the repository")
        KEPT = "kept", _("App's version kept")
        SUPERSEDED = "superseded", _("Replaced by a newer edit")

    connection = models.ForeignKey(
        RepositoryConnection, on_delete=models.CASCADE, related_name="incoming_changes"
    )
    week = models.ForeignKey(Week, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=500)
    base_text = models.TextField()  # what the app last published
    remote_text = models.TextField()  # what the repository has now ("" if deleted)
    remote_blob_sha = models.CharField(max_length=64, blank=True)  # "" if deleted
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    problem = models.TextField(blank=True)  # why the last import was refused
    detected_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-detected_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "week"],
                condition=Q(status="open"),
                name="incoming_change_one_open_per_week",
            ),
        ]

    def __str__(self) -> str:
        return self.path


class ChatChannel(models.Model):
    """A chat room the app posts to through an incoming webhook."""

    class Kind(models.TextChoices):
        SLACK = "slack", "Slack"
        DISCORD = "discord", "Discord"
        WEBHOOK = "webhook", _("Signed webhook (JSON)")

    class Event(models.TextChoices):
        BRIEF = "brief", _("Weekly brief")
        ASSIGNMENT = "assignment", _("Assignments and swaps")
        REVIEW = "review", _("A review submitted")
        NUDGE = "nudge", _("Deadline nudges")
        IMPORT_ERRORS = "import_errors", _("Imports with errors")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The webhook URL is the credential of Slack and Discord webhooks: write-only.
    url = models.TextField()
    signing_secret = models.TextField(blank=True)  # generic webhooks: the HMAC key
    events = models.JSONField(default=list)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("chat channel")
        verbose_name_plural = _("chat channels")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class ChatDelivery(models.Model):
    """One message for one channel: the unique (channel, event key) makes it exactly one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        GAVE_UP = "gave_up", _("Given up")

    channel = models.ForeignKey(ChatChannel, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=20, choices=ChatChannel.Event.choices)
    event_key = models.CharField(max_length=200)
    payload = models.JSONField()  # the request body, without secrets
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "event_key"], name="chat_delivery_once_per_channel"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.event_key
