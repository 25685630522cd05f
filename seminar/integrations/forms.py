"""Organizers' forms for a repository connection and a chat channel.

Secrets are write-only: the field is always rendered empty (never with the saved value), its
help says "set · leave empty to keep it", and an empty submission keeps what was saved.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from seminar.integrations import paths
from seminar.integrations.git import GitRefused, check_branch, check_url
from seminar.integrations.publishing import allow_local_repositories, check_secret_env_name
from seminar.lib.outbound import address_allowed, literal_address
from seminar.models import ChatChannel, RepositoryConnection


class SecretInput(forms.PasswordInput):
    """Never renders a value, saved or submitted."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"autocomplete": "off", **(attrs or {})}, render_value=False)


class SecretTextarea(forms.Textarea):
    """A textarea (a private key has lines) that never renders a value either."""

    def format_value(self, value):
        return None


def _secret_help(is_set: bool, what: str) -> str:
    if is_set:
        return str(_("Set · type a new %(what)s to replace it, or leave empty to keep it.")) % {
            "what": what
        }
    return str(_("Not set."))


class RepositoryForm(forms.ModelForm):
    secret = forms.CharField(
        label=_("Token or private key"),
        required=False,
        strip=False,
        widget=SecretTextarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = RepositoryConnection
        fields = [
            "name",
            "url",
            "branch",
            "auth",
            "secret_source",
            "secret_env",
            "ssh_known_hosts",
            "path_template",
            "index_path",
            "co_authors",
            "enabled",
        ]
        widgets = {"ssh_known_hosts": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "url": _("https://github.com/group/archive.git or git@github.com:group/archive.git"),
            "secret_env": _("A variable of the server holding the secret, e.g. %(example)s.")
            % {"example": "SEMINAR_SECRET_GIT_TOKEN"},
            "path_template": _(
                "Fields: {term}, {number} ({number:02d} pads it), {date}, {year}. "
                "Example: weeks/{term}/{number:02d}.md"
            ),
            "index_path": _(
                "A page where the app writes a table of weeks between its markers; empty for none."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved_secret = self.instance.secret if self.instance.pk else ""
        self.fields["secret"].help_text = _secret_help(bool(self.saved_secret), _("secret"))

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            check_url(url, allow_file=allow_local_repositories())
        except GitRefused as exc:
            raise ValidationError(str(exc), code="url") from exc
        return url

    def clean_branch(self) -> str:
        branch = self.cleaned_data["branch"]
        try:
            return check_branch(branch)
        except GitRefused as exc:
            raise ValidationError(str(exc), code="branch") from exc

    def clean_path_template(self) -> str:
        template = self.cleaned_data["path_template"]
        try:
            return paths.check_template(template)
        except paths.PathError as exc:
            raise ValidationError(
                _("This path is not allowed: %(reason)s") % {"reason": exc}, code="path"
            ) from exc

    def clean_index_path(self) -> str:
        path = self.cleaned_data["index_path"].strip()
        if not path:
            return ""
        try:
            return paths.check_relative_path(path)
        except paths.PathError as exc:
            raise ValidationError(
                _("This path is not allowed: %(reason)s") % {"reason": exc}, code="path"
            ) from exc

    def clean_secret_env(self) -> str:
        name = self.cleaned_data["secret_env"].strip()
        return check_secret_env_name(name) if name else ""

    def clean(self):
        data = super().clean()
        auth = data.get("auth")
        source = data.get("secret_source")
        if auth and auth != RepositoryConnection.Auth.NONE:
            if source == RepositoryConnection.SecretSource.ENV and not data.get("secret_env"):
                self.add_error("secret_env", _("Name the variable that holds the secret."))
            if (
                source == RepositoryConnection.SecretSource.FIELD
                and not data.get("secret")
                and not self.saved_secret
            ):
                self.add_error("secret", _("Paste the token or the private key."))
        url = data.get("url") or ""
        if auth == RepositoryConnection.Auth.TOKEN and not url.startswith("https://"):
            self.add_error("auth", _("A token needs an https:// URL."))
        if auth == RepositoryConnection.Auth.SSH_KEY and url.startswith(("https://", "/", "file:")):
            self.add_error("auth", _("A deploy key needs an ssh URL."))
        if data.get("index_path") and data.get("index_path") == self._sample_path(data):
            self.add_error("index_path", _("The index cannot be a week page."))
        return data

    def _sample_path(self, data) -> str:
        from datetime import date

        try:
            return paths.render(
                data.get("path_template", ""), term="term", number=1, day=date(2025, 1, 1)
            )
        except (paths.PathError, KeyError, ValueError):
            return ""

    def save(self, commit: bool = True):
        connection = super().save(commit=False)
        new_secret = self.cleaned_data.get("secret") or ""
        connection.secret = new_secret.strip() if new_secret.strip() else self.saved_secret
        if connection.auth == RepositoryConnection.Auth.NONE:
            connection.secret = ""
        if connection.secret_source == RepositoryConnection.SecretSource.ENV:
            connection.secret = ""
        if commit:
            connection.save()
        return connection


def validate_webhook_url(url: str, kind: str) -> str:
    """An https URL (http only to an address the deployment allows on purpose: tests), to a
    host that is not a private address. `fetch` checks the resolved addresses again when it
    sends; this refuses what is obviously wrong at once."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError(_("Enter the webhook's https:// URL."), code="url")
    if parts.username or parts.password:
        raise ValidationError(_("The URL may not contain a user name or password."), code="url")
    literal = literal_address(parts.hostname)
    allowed_literal = literal is not None and address_allowed(literal, parts.port or 443)
    if literal is not None and not allowed_literal:
        raise ValidationError(_("The webhook's host is not a public address."), code="private")
    if parts.scheme == "http" and not allowed_literal:
        raise ValidationError(_("Use https:// for webhooks."), code="url")
    strict = getattr(settings, "INTEGRATIONS_STRICT_HOSTS", True) and not allowed_literal
    if strict and kind == ChatChannel.Kind.SLACK and parts.hostname != "hooks.slack.com":
        raise ValidationError(_("A Slack webhook URL starts with https://hooks.slack.com/."))
    discord_hosts = ("discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com")
    if strict and kind == ChatChannel.Kind.DISCORD and parts.hostname not in discord_hosts:
        raise ValidationError(_("A Discord webhook URL starts with https://discord.com/."))
    return url.strip()


class ChannelForm(forms.ModelForm):
    url = forms.CharField(
        label=_("Webhook URL"),
        required=False,
        max_length=1000,
        widget=SecretInput(attrs={"spellcheck": "false"}),
    )
    signing_secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=500,
        widget=SecretInput(),
        help_text=_("Signed webhooks only: the key of the HMAC-SHA256 signature."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=ChatChannel.Event.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ChatChannel
        fields = ["name", "kind", "url", "signing_secret", "events", "enabled"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved_url = self.instance.url if self.instance.pk else ""
        self.saved_signing = self.instance.signing_secret if self.instance.pk else ""
        self.fields["url"].help_text = (
            _secret_help(True, _("URL"))
            if self.saved_url
            else _("The incoming webhook's URL: it is the channel's password, kept hidden.")
        )
        if self.saved_signing:
            self.fields["signing_secret"].help_text = _secret_help(True, _("secret"))
        if not self.instance.pk:
            self.initial.setdefault("events", [c for c, _label in ChatChannel.Event.choices])

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        url = (data.get("url") or "").strip()
        if url:
            try:
                data["url"] = validate_webhook_url(url, kind or "")
            except ValidationError as exc:
                self.add_error("url", exc)
        elif not self.saved_url:
            self.add_error("url", _("Enter the webhook's URL."))
        if kind == ChatChannel.Kind.WEBHOOK and not (
            data.get("signing_secret") or self.saved_signing
        ):
            self.add_error("signing_secret", _("A signed webhook needs a secret."))
        return data

    def save(self, commit: bool = True):
        channel = super().save(commit=False)
        channel.url = self.cleaned_data.get("url") or self.saved_url
        channel.signing_secret = self.cleaned_data.get("signing_secret") or self.saved_signing
        channel.events = list(self.cleaned_data.get("events") or [])
        if commit:
            channel.save()
        return channel
