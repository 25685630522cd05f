"""Integrations (#16): what an organizer's typing, a hostile repository or a hostile chat
endpoint must not be able to do.

- A repository URL runs git against it: `ext::` and other transports would run a command,
  `--upload-pack=…` would be an option, a private address would reach the server's network.
- A path template and the repository's own tree decide where the app writes and what it
  reads: nothing may land or be read outside the repository (traversal, symlinks).
- Tokens, deploy keys, webhook URLs and signing secrets never appear again once saved: not in
  pages, form errors, logs, git's command lines or exports; an environment variable can only
  lend a secret when it was named for that.
- A webhook URL is where the server POSTs: private and loopback addresses are refused when it
  is saved and again, after resolving the name, when it is sent.
- Members (not organizers) reach none of it.
"""

from __future__ import annotations

import base64
import logging
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from seminar.integrations import chat, publishing
from seminar.integrations.forms import ChannelForm, RepositoryForm, validate_webhook_url
from seminar.integrations.git import GitError, GitRefused, Remote, Workspace, check_url
from seminar.models import ChatChannel, ChatDelivery, PublishedPage, RepositoryConnection
from tests.factories import UserFactory
from tests.seminar.integrations.conftest import PAGE_PATH, RemoteRepo, make_week

pytestmark = pytest.mark.django_db

TOKEN = "ghp_NeverShowMe0123456789"


@pytest.mark.parametrize(
    "url",
    [
        "ext::sh -c touch% /tmp/pwned",
        "ext::sh",
        "fd::3",
        "--upload-pack=touch /tmp/pwned",
        "-oProxyCommand=touch /tmp/pwned",
        "ssh://-oProxyCommand=touch%20x/repo.git",
        "git@-oProxyCommand=x:repo.git",
        "http://github.com/group/archive.git",  # a token would go in clear
        "https://user:password@github.com/group/archive.git",
        "https://github.com/-upload-pack/x",
        "file:///etc",
        "/srv/repositories/archive.git",
        "https://github.com/group/archive.git\n--upload-pack=x",
    ],
)
def test_dangerous_repository_urls_are_refused(url, settings):
    """Refused by the check, and by the form that uses it."""
    settings.INTEGRATIONS_ALLOW_LOCAL_REPOSITORIES = False
    with pytest.raises(GitRefused):
        check_url(url, allow_file=False)
    form = RepositoryForm(
        data={
            "name": "x",
            "url": url,
            "branch": "main",
            "auth": "none",
            "secret_source": "field",
            "path_template": "weeks/{number}.md",
            "co_authors": "anonymous",
        }
    )
    assert not form.is_valid() and "url" in form.errors


@pytest.mark.parametrize(
    "branch",
    ["--force", "-b", "main..x", "main/../x", "refs/heads/x.lock", "a b", "x;rm -rf /", ""],
)
def test_branch_names_that_are_options_or_odd_refs_are_refused(branch):
    from seminar.integrations.git import check_branch

    with pytest.raises(GitRefused):
        check_branch(branch)


def test_spaces_around_a_url_are_refused_by_the_check():
    with pytest.raises(GitRefused):
        check_url(" https://github.com/group/archive.git", allow_file=False)


def test_git_itself_refuses_ext_even_if_a_url_got_past_the_check(tmp_path, settings):
    """Defence in depth: the workspace's git allows only https, ssh (and file when allowed)."""
    settings.INTEGRATIONS_ALLOW_LOCAL_REPOSITORIES = True
    (tmp_path / "r").mkdir()
    repo = RemoteRepo(tmp_path / "r")
    pwned = tmp_path / "pwned"
    with Workspace(Remote(url=repo.url, branch="main", allow_file=True)) as workspace:
        workspace.fetch()
        workspace.git("config", "remote.origin.url", f"ext::sh -c touch% {pwned}")
        with pytest.raises(GitError):
            workspace.fetch()
    assert not pwned.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/a.git",
        "https://localhost/a.git",
        "https://10.1.2.3/a.git",
        "https://[::1]/a.git",
        "https://169.254.169.254/a.git",
        "ssh://git@127.0.0.1/a.git",
    ],
)
def test_a_repository_on_a_private_address_is_refused_before_git_runs(url, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    with pytest.raises(GitRefused):
        Workspace(Remote(url=url, branch="main")).close()


@pytest.mark.parametrize(
    "template",
    [
        "../../../etc/cron.d/{number}.md",
        "/tmp/{number}.md",
        "{term}/../../{number}.md",
        ".git/hooks/{number}.md",
        "weeks/{number}.sh",
    ],
)
def test_path_templates_that_leave_the_repository_are_refused(template, organizer_client):
    response = organizer_client.post(
        "/integrations/repositories/new/",
        {
            "name": "x",
            "url": "https://github.com/g/a.git",
            "branch": "main",
            "auth": "none",
            "secret_source": "field",
            "path_template": template,
            "index_path": "README.md",
            "co_authors": "anonymous",
        },
    )
    assert response.status_code == 200
    assert "This path is not allowed" in response.content.decode()
    assert not RepositoryConnection.objects.exists()


def test_a_symlink_in_the_repository_is_never_followed(tmp_path, settings):
    """A member makes the week's page a symlink to a file of the server: the app neither reads
    it (the page would be shown as a diff) nor writes through it."""
    week = make_week(UserFactory())
    settings.INTEGRATIONS_ALLOW_LOCAL_REPOSITORIES = True
    (tmp_path / "r").mkdir()
    repo = RemoteRepo(tmp_path / "r")
    secret_file = tmp_path / "server-secret.txt"
    secret_file.write_text("SERVER SECRET\n")
    target = repo.clone / PAGE_PATH
    target.parent.mkdir(parents=True)
    target.symlink_to(secret_file)
    repo.git("add", "--", PAGE_PATH, cwd=repo.clone)
    repo.git("commit", "-qm", "symlink", cwd=repo.clone)
    repo.git("push", "-q", "origin", "HEAD:main", cwd=repo.clone)
    connection = RepositoryConnection.objects.create(name="r", url=repo.url, auth="none")
    publishing.note_week_changed(week_id=week.pk, reason="x")

    result = publishing.publish_week(connection_id=connection.pk, week_id=week.pk)

    assert result.outcome == "failed" and "not a regular file" in result.error
    assert secret_file.read_text() == "SERVER SECRET\n"
    assert "SERVER SECRET" not in repo.git("--git-dir", str(repo.bare), "log", "-p", "main")
    PublishedPage.objects.create(
        connection=connection, week=week, path=PAGE_PATH, blob_sha="0" * 40, text=""
    )
    changes = publishing.check_repository(connection_id=connection.pk)
    assert all("SERVER SECRET" not in c.remote_text for c in changes)


def test_a_secret_from_the_environment_must_be_one_named_for_it(organizer_client, monkeypatch):
    monkeypatch.setenv("SEMINAR_SECRET_GIT", TOKEN)
    for name in ("SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "seminar_secret_x", "SEMINAR_SECRET"):
        with pytest.raises(ValidationError):
            publishing.check_secret_env_name(name)
    connection = RepositoryConnection.objects.create(
        name="x",
        url="https://github.com/g/a.git",
        auth="token",
        secret_source="env",
        secret_env="SEMINAR_SECRET_GIT",
    )
    assert publishing.remote_for(connection).secret == TOKEN
    connection.secret_env = "SECRET_KEY"  # edited behind the form's back: still refused
    with pytest.raises(GitRefused):
        publishing.remote_for(connection)


def test_a_token_never_reaches_gits_command_line_or_its_error_text(tmp_path, settings, monkeypatch):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    seen: list[list[str]] = []
    real_run = subprocess.run

    def recording_run(args, *rest, **kwargs):
        seen.append(list(args))
        return real_run(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "run", recording_run)
    remote = Remote(
        url="https://127.0.0.1:9/group/archive.git",
        branch="main",
        auth="token",
        secret=TOKEN,
        timeout=10,
        allowed_networks=("127.0.0.1/32",),
    )
    basic = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    with Workspace(remote) as workspace, pytest.raises(GitError) as failed:
        workspace.fetch()
        assert workspace.scrub(f"fatal: {TOKEN} {basic}") == "fatal: ••• •••"
    assert seen and all(
        TOKEN not in " ".join(argv) and basic not in " ".join(argv) for argv in seen
    )
    assert TOKEN not in str(failed.value) and basic not in str(failed.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",
        "https://127.0.0.1/hook",
        "https://10.0.0.5/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://0x7f.1/hook",
        "https://2130706433/hook",
        "http://chat.example/hook",
        "https://u:p@chat.example/hook",
        "ftp://chat.example/hook",
        "javascript:alert(1)",
    ],
)
def test_webhook_urls_to_private_addresses_or_odd_schemes_are_refused(url, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    with pytest.raises(ValidationError):
        validate_webhook_url(url, "webhook")


def test_slack_and_discord_channels_only_take_their_services_hosts(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    with pytest.raises(ValidationError):
        validate_webhook_url("https://evil.example/services/x", "slack")
    with pytest.raises(ValidationError):
        validate_webhook_url("https://evil.example/api/webhooks/1/x", "discord")
    assert validate_webhook_url("https://hooks.slack.com/services/T/B/X", "slack")
    assert validate_webhook_url("https://discord.com/api/webhooks/1/x", "discord")


def test_a_name_resolving_to_loopback_is_refused_when_sending(httpserver, settings, caplog):
    """The form cannot see where a name resolves; `fetch` does, at send time."""
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    httpserver.expect_request("/hook").respond_with_data("ok")
    url = f"http://localhost:{httpserver.port}/hook?token=WEBHOOK-SECRET"
    channel = ChatChannel.objects.create(
        name="x", kind="webhook", url=url, signing_secret="k", events=["brief"]
    )
    delivery = ChatDelivery.objects.create(
        channel=channel, event="brief", event_key="k", payload={"x": 1}
    )
    with caplog.at_level(logging.DEBUG):
        result = chat.deliver(delivery.pk)
    assert result.outcome == "retry"
    assert len(httpserver.log) == 0
    delivery.refresh_from_db()
    assert delivery.last_error == "AddressNotAllowed"
    assert "WEBHOOK-SECRET" not in caplog.text and "WEBHOOK-SECRET" not in delivery.last_error


def test_channel_secrets_are_not_rendered_by_the_form(db):
    channel = ChatChannel.objects.create(
        name="x",
        kind="webhook",
        url="https://chat.example/hook/SECRET-URL",
        signing_secret="SECRET-SIGNING",
        events=[],
    )
    html = ChannelForm(instance=channel).as_p()
    html += ChannelForm(
        instance=channel,
        data={"name": "x", "kind": "webhook", "url": "bad", "signing_secret": "NEW-SECRET"},
    ).as_p()
    assert "SECRET-URL" not in html and "SECRET-SIGNING" not in html and "NEW-SECRET" not in html


def test_exports_and_the_admin_carry_no_integration_secrets(organizer_client):
    week = make_week(UserFactory())
    RepositoryConnection.objects.create(
        name="x", url="https://github.com/g/a.git", auth="token", secret=TOKEN
    )
    ChatChannel.objects.create(
        name="c", kind="slack", url="https://hooks.slack.com/s/SECRETPART", events=[]
    )
    for url in (
        reverse("export_archive"),
        f"{reverse('export_reviews_json')}?term={week.term_id}",
        "/integrations/",
        "/admin/",
    ):
        body = organizer_client.get(url).content
        assert TOKEN.encode() not in body and b"SECRETPART" not in body
    from django.contrib import admin

    assert not any(
        m._meta.label.startswith("seminar.")
        and m.__name__ in ("RepositoryConnection", "ChatChannel", "ChatDelivery")
        for m in admin.site._registry
    )


INTEGRATION_URLS = [
    ("integrations", {}),
    ("integration_repository_add", {}),
    ("integration_repository_edit", {"pk": 1}),
    ("integration_repository_delete", {"pk": 1}),
    ("integration_repository_sync", {"pk": 1}),
    ("integration_archive_import", {"pk": 1}),
    ("integration_change", {"pk": 1}),
    ("integration_channel_add", {}),
    ("integration_channel_edit", {"pk": 1}),
    ("integration_channel_delete", {"pk": 1}),
    ("integration_delivery_retry", {"pk": 1}),
]


@pytest.mark.parametrize(("name", "kwargs"), INTEGRATION_URLS)
def test_a_member_is_refused_every_integrations_page(name, kwargs, member_client):
    connection = RepositoryConnection.objects.create(
        name="x", url="https://github.com/g/a.git", auth="token", secret=TOKEN
    )
    kwargs = {k: connection.pk for k in kwargs}
    url = reverse(name, kwargs=kwargs)
    for method in (member_client.get, member_client.post):
        response = method(url)
        assert response.status_code == 403
        assert TOKEN.encode() not in response.content
    assert RepositoryConnection.objects.get().name == "x"
