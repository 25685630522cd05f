"""Members and invitations: who belongs to the group, by name and address."""

from __future__ import annotations

import secrets
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    # Resend and revoke (#13): how often its email went out (a resend draws a new link and
    # is rate limited), and when an organizer took it back (its link then stops working).
    sent_count = models.PositiveSmallIntegerField(_("emails sent"), default=1)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

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
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.created_at > timezone.now() - INVITATION_LIFETIME
        )

    @property
    def expires_at(self):
        return self.created_at + INVITATION_LIFETIME
