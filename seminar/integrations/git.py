"""The git command line, run safely on an organizer's repository URL.

Nothing an organizer types becomes an option or a transport:

- the URL is checked first (`check_url`): https, ssh (``ssh://`` or ``user@host:path``), and
  local paths / ``file://`` only where the deployment allows them (tests). ``ext::`` and every
  other ``<transport>::`` form, ``http://`` (a token in clear), passwords inside the URL and
  anything starting with ``-`` are refused, and git itself is told the same
  (``GIT_ALLOW_PROTOCOL``, ``protocol.ext.allow=never``);
- every command puts ``--`` before the URL, the refspecs and the paths;
- the host is resolved here and refused if any address is not public (the outbound rules of
  `seminar.lib.outbound`), then pinned: git's HTTP client connects to exactly that address
  (``http.curloptResolve``), ssh too (``-o Hostname=``), redirects are not followed;
- git reads no user or system configuration (``HOME`` is a fresh folder), runs no hooks,
  never prompts; a token goes in an HTTP header through the environment, never in argv or a
  URL; a private key is a 0600 file that lives as long as the workspace.

The workspace is a bare repository in a temporary folder: pages are read and written with
plumbing (``ls-tree``, ``cat-file``, ``hash-object``, ``update-index --cacheinfo``,
``commit-tree``), so no file of the repository is ever checked out, and a symlink in it cannot
point a read or a write outside (symlinks, submodules and folders are refused as pages).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from seminar.integrations.paths import PathError, check_relative_path
from seminar.lib.outbound import AddressNotAllowed, literal_address, vet_addresses
from seminar.lib.outbound.addresses import parse_allowed_networks

MAX_PAGE_BYTES = 1_000_000
MAX_ERROR_CHARS = 2000
_BRANCH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")
_SCP = re.compile(r"(?P<user>[A-Za-z0-9._-]{1,64})@(?P<host>[A-Za-z0-9.-]{1,253}):(?P<path>[^\s]+)")
_HOST = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,252}")
_REJECTED = (
    "[rejected]",
    "non-fast-forward",
    "fetch first",
    "failed to update ref",
    "cannot lock ref",
    "stale info",
    "[remote rejected]",
)


class GitError(Exception):
    """A git operation failed. The text is for organizers: secrets are scrubbed from it."""


class GitRefused(GitError):
    """The connection's settings are not allowed (URL, branch, path); retrying cannot help."""


class GitUnreachable(GitError):
    """The repository could not be reached or refused us (network, authentication, a
    timeout): retried later with backoff."""


class GitRejected(GitError):
    """The push was rejected because the branch moved on the remote: fetch and redo."""


@dataclass(frozen=True)
class Remote:
    """Everything needed to reach a repository; `secret` is a token or a private key."""

    url: str
    branch: str
    auth: str = "none"  # none | token | ssh_key
    secret: str = ""
    known_hosts: str = ""
    allow_file: bool = False
    allowed_networks: Sequence[str] = ()
    timeout: float = 60.0
    author_name: str = "Seminar"
    author_email: str = "seminar@localhost"


@dataclass(frozen=True)
class ParsedURL:
    kind: str  # https | ssh | file
    host: str = ""
    port: int | None = None


def check_branch(branch: str) -> str:
    if (
        not _BRANCH.fullmatch(branch)
        or ".." in branch
        or "//" in branch
        or branch.endswith(("/", ".lock", "."))
        or "/." in branch
    ):
        raise GitRefused(_("The branch name is not a plain branch name."))
    return branch


def check_url(url: str, *, allow_file: bool) -> ParsedURL:
    """Refuse every URL that is not plain https, ssh, or (when allowed) a local repository."""
    if not url or url != url.strip() or len(url) > 500:
        raise GitRefused(_("The repository URL is empty or has spaces around it."))
    if url.startswith("-") or any(ord(c) < 33 for c in url):
        raise GitRefused(_("The repository URL may not start with '-' or contain spaces."))
    if "::" in url.split("/", 1)[0] or re.match(r"[A-Za-z][A-Za-z0-9+.-]*::", url):
        raise GitRefused(_("Git transports such as ext:: are not allowed."))
    if m := _SCP.fullmatch(url):
        if "://" in url or m["path"].startswith("-"):
            raise GitRefused(_("The repository URL is not one git can use safely."))
        return ParsedURL("ssh", host=m["host"])
    if url.startswith("/") or url.startswith("file://"):
        if not allow_file:
            raise GitRefused(_("Local repositories are not allowed on this server."))
        path = url.removeprefix("file://")
        if not path.startswith("/") or "/../" in f"{path}/":
            raise GitRefused(_("A local repository needs an absolute path."))
        return ParsedURL("file")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "ssh"):
        raise GitRefused(
            _("Use an https:// or ssh:// URL (http:// would send the token in clear).")
        )
    if parts.password is not None:
        raise GitRefused(_("Put the token in the token field, not in the URL."))
    host = parts.hostname or ""
    if not host or not (_HOST.fullmatch(host) or literal_address(host) is not None):
        raise GitRefused(_("The repository URL has no valid host."))
    if not parts.path or parts.path == "/" or parts.path.startswith("/-"):
        raise GitRefused(_("The repository URL has no path."))
    try:
        port = parts.port
    except ValueError as exc:
        raise GitRefused(_("The repository URL has an invalid port.")) from exc
    return ParsedURL(parts.scheme, host=host, port=port)


def _resolve(host: str, port: int, allowed: Sequence[str]) -> str:
    """One vetted address of `host` (all of them must be allowed)."""
    literal = literal_address(host)
    try:
        if literal is not None:
            addresses = [literal]
        else:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            addresses = list(dict.fromkeys(ipaddress.ip_address(i[4][0]) for i in infos))
        vetted = vet_addresses(addresses, port, parse_allowed_networks(allowed))
    except AddressNotAllowed as exc:
        raise GitRefused(_("The repository's host is not a public address.")) from exc
    except OSError as exc:
        raise GitUnreachable(
            _("The repository's host could not be resolved: %(host)s") % {"host": host}
        ) from exc
    return str(vetted[0])


class Workspace:
    """A bare repository in a temporary folder, fetched from the remote's branch."""

    def __init__(self, remote: Remote) -> None:
        self.remote = remote
        self.parsed = check_url(remote.url, allow_file=remote.allow_file)
        check_branch(remote.branch)
        self._root = Path(tempfile.mkdtemp(prefix="seminar-git-"))
        self.git_dir = self._root / "repo.git"
        self._home = self._root / "home"
        self._hooks = self._root / "no-hooks"
        self._index = self._root / "index"
        for folder in (self._home, self._hooks):
            folder.mkdir(mode=0o700)
        self._env = self._environment()
        self.head: str | None = None

    # --- lifecycle ---------------------------------------------------------------------

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        shutil.rmtree(self._root, ignore_errors=True)

    # --- running git ---------------------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        remote = self.remote
        protocols = ["https", "ssh"] + (["file"] if remote.allow_file else [])
        config: list[tuple[str, str]] = [
            ("protocol.allow", "never"),
            ("protocol.ext.allow", "never"),
            *((f"protocol.{p}.allow", "always") for p in protocols),
            ("http.followRedirects", "false"),
            ("core.hooksPath", str(self._hooks)),
            ("core.askPass", ""),
            ("credential.helper", ""),
            ("commit.gpgSign", "false"),
            ("transfer.fsckObjects", "true"),
            ("submodule.recurse", "false"),
            ("uploadpack.allowFilter", "true"),
        ]
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self._home),
            "LANG": "C",
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "/bin/false",
            "SSH_ASKPASS": "/bin/false",
            "GIT_ALLOW_PROTOCOL": ":".join(protocols),
            "GIT_PROTOCOL_FROM_USER": "0",
        }
        kind, host = self.parsed.kind, self.parsed.host
        if kind == "https":
            port = self.parsed.port or 443
            address = _resolve(host, port, remote.allowed_networks)
            config.append(("http.curloptResolve", f"{host}:{port}:{address}"))
            if remote.auth == "token" and remote.secret:
                basic = base64.b64encode(f"x-access-token:{remote.secret}".encode()).decode()
                config.append(("http.extraHeader", f"Authorization: Basic {basic}"))
        elif kind == "ssh":
            port = self.parsed.port or 22
            address = _resolve(host, port, remote.allowed_networks)
            env["GIT_SSH_COMMAND"] = self._ssh_command(host, address)
            env["GIT_SSH_VARIANT"] = "ssh"
        env["GIT_CONFIG_COUNT"] = str(len(config))
        for i, (key, value) in enumerate(config):
            env[f"GIT_CONFIG_KEY_{i}"] = key
            env[f"GIT_CONFIG_VALUE_{i}"] = value
        return env

    def _ssh_command(self, host: str, address: str) -> str:
        known = self._root / "known_hosts"
        known.write_text(self.remote.known_hosts or "", encoding="utf-8")
        options = [
            "ssh",
            "-F",
            "/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            f"Hostname={address}",
            "-o",
            f"HostKeyAlias={host}",
            "-o",
            f"UserKnownHostsFile={known}",
            "-o",
            # With a host key given: only that key. Without: trust on first use.
            "StrictHostKeyChecking=" + ("yes" if self.remote.known_hosts.strip() else "accept-new"),
            "-o",
            "ConnectTimeout=15",
        ]
        if self.remote.auth == "ssh_key" and self.remote.secret:
            key = self._root / "deploy_key"
            fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(self.remote.secret.strip() + "\n")
            options += ["-i", str(key), "-o", "IdentitiesOnly=yes"]
        # Every part is ours (a vetted IP, a checked host name, our temp paths): no quoting
        # problem, and nothing the organizer typed reaches a shell unchecked.
        return " ".join(options)

    def scrub(self, text: str) -> str:
        """Output with the secret (and its base64 form) removed, cut to a readable size."""
        secret = self.remote.secret
        if secret:
            text = text.replace(secret, "•••")
            basic = base64.b64encode(f"x-access-token:{secret}".encode()).decode()
            text = text.replace(basic, "•••")
        return text.strip()[-MAX_ERROR_CHARS:]

    def git(
        self, *args: str, input: bytes | None = None, check: bool = True, index: bool = False
    ) -> subprocess.CompletedProcess[bytes]:
        env = dict(self._env)
        if index:
            env["GIT_INDEX_FILE"] = str(self._index)
        env["GIT_DIR"] = str(self.git_dir)
        env.update(
            GIT_AUTHOR_NAME=self.remote.author_name,
            GIT_AUTHOR_EMAIL=self.remote.author_email,
            GIT_COMMITTER_NAME=self.remote.author_name,
            GIT_COMMITTER_EMAIL=self.remote.author_email,
        )
        try:
            result = subprocess.run(
                ["git", *args],
                input=input,
                capture_output=True,
                env=env,
                timeout=self.remote.timeout,
                cwd=self._root,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise GitUnreachable(
                f"git {args[0]} did not finish within {self.remote.timeout:g} s."
            ) from exc
        if check and result.returncode != 0:
            raise GitError(self.scrub(result.stderr.decode("utf-8", "replace")))
        return result

    # --- fetching ------------------------------------------------------------------------

    def fetch(self, *, depth: int | None = 1) -> str | None:
        """Fetch the branch; the commit it points to, or None when it does not exist yet."""
        if not self.git_dir.exists():
            self.git("init", "--bare", "-q", "--", str(self.git_dir))
            self.git("config", "remote.origin.url", self.remote.url)
        tracking = f"refs/remotes/origin/{self.remote.branch}"
        args = ["fetch", "-q", "--no-tags", "--no-recurse-submodules"]
        if depth:
            args.append(f"--depth={depth}")
        elif self._is_shallow():
            args.append("--unshallow")
        args += ["origin", "--", f"+refs/heads/{self.remote.branch}:{tracking}"]
        result = self.git(*args, check=False)
        if result.returncode != 0:
            message = self.scrub(result.stderr.decode("utf-8", "replace"))
            if "couldn't find remote ref" in message.lower():
                self.head = None
                return None
            raise GitUnreachable(message or "git fetch failed.")
        found = self.git("rev-parse", "--verify", "-q", f"{tracking}^{{commit}}", check=False)
        self.head = found.stdout.decode().strip() or None
        return self.head

    def _is_shallow(self) -> bool:
        return (self.git_dir / "shallow").exists()

    # --- reading -------------------------------------------------------------------------

    def entry(self, path: str, commit: str | None = None) -> tuple[str, str] | None:
        """(mode, blob sha) of a file at `path`, None if absent; `GitRefused` if it is a
        symlink, a folder or a submodule."""
        commit = commit or self.head
        if commit is None:
            return None
        check_relative_path(path, suffix=None)
        out = self.git("ls-tree", "-z", "--full-tree", commit, "--", path).stdout
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _tab, name = record.partition(b"\t")
            mode, kind, sha = meta.decode().split()
            if name.decode("utf-8", "replace") != path:
                continue
            if kind != "blob" or mode not in ("100644", "100755"):
                raise GitRefused(
                    _("%(path)s in the repository is not a regular file.") % {"path": path}
                )
            return mode, sha
        return None

    def read_blob(self, sha: str) -> str:
        size = int(self.git("cat-file", "-s", sha).stdout.decode().strip())
        if size > MAX_PAGE_BYTES:
            raise GitRefused(f"A page of {size} bytes is larger than allowed.")
        data = self.git("cat-file", "blob", sha).stdout
        return data.decode("utf-8", "replace").replace("\x00", "")

    def read(self, path: str, commit: str | None = None) -> tuple[str, str] | None:
        """(text, blob sha) of the page at `path`, or None."""
        found = self.entry(path, commit)
        if found is None:
            return None
        return self.read_blob(found[1]), found[1]

    def files(self, commit: str | None = None) -> list[tuple[str, str]]:
        """(path, blob sha) of every regular file of the commit."""
        commit = commit or self.head
        if commit is None:
            return []
        out = self.git("ls-tree", "-r", "-z", "--full-tree", commit).stdout
        found = []
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _tab, name = record.partition(b"\t")
            mode, kind, sha = meta.decode().split()
            if kind == "blob" and mode in ("100644", "100755"):
                found.append((name.decode("utf-8", "replace"), sha))
        return found

    def first_added(self) -> dict[str, int]:
        """When each file first appeared on the branch (Unix time), from its history."""
        if self.head is None:
            return {}
        out = self.git(
            "log",
            "--reverse",
            "--format=%x01%ct",
            "--name-only",
            "--diff-filter=A",
            "-z",
            self.head,
            "--",
        ).stdout.decode("utf-8", "replace")
        added: dict[str, int] = {}
        for chunk in out.split("\x01")[1:]:
            # "<time>\0\n<name>\0<name>\0" (the first commit may list no names at all)
            stamp, *names = chunk.split("\0")
            for name in names:
                name = name.strip("\n")
                if name:
                    added.setdefault(name, int(stamp.strip()))
        return added

    # --- writing -------------------------------------------------------------------------

    def commit(self, files: dict[str, str], message: str) -> str | None:
        """A commit on top of the fetched head with these files' texts; None if nothing
        changed. Built with plumbing in a private index: no checkout."""
        for path in files:
            try:
                check_relative_path(path, suffix=None)
            except PathError as exc:
                raise GitRefused(f"{path}: {exc}") from exc
            self.entry(path)  # refuses a symlink or folder in the way
        if self.head:
            self.git("read-tree", self.head, index=True)
        else:
            self.git("read-tree", "--empty", index=True)
        for path, text in files.items():
            sha = self.git("hash-object", "-w", "--stdin", input=text.encode()).stdout
            cacheinfo = f"100644,{sha.decode().strip()},{path}"
            self.git("update-index", "--add", "--cacheinfo", cacheinfo, index=True)
        tree = self.git("write-tree", index=True).stdout.decode().strip()
        if self.head:
            old_tree = self.git("rev-parse", f"{self.head}^{{tree}}").stdout.decode().strip()
            if old_tree == tree:
                return None
        parents = ["-p", self.head] if self.head else []
        made = self.git("commit-tree", tree, *parents, "-F", "-", input=message.encode())
        return made.stdout.decode().strip()

    def push(self, commit: str) -> None:
        """Push `commit` to the branch; `GitRejected` if the branch moved meanwhile."""
        ref = f"refs/heads/{self.remote.branch}"
        result = self.git(
            "push", "--porcelain", "--no-verify", "origin", "--", f"{commit}:{ref}", check=False
        )
        if result.returncode == 0:
            self.head = commit
            return
        out = self.scrub(
            result.stdout.decode("utf-8", "replace")
            + "\n"
            + result.stderr.decode("utf-8", "replace")
        )
        if any(marker in out for marker in _REJECTED):
            raise GitRejected(out)
        raise GitUnreachable(out or "git push failed.")


@dataclass
class Publication:
    """What `push_files` did: the commit pushed (None: nothing to change) and the blobs."""

    commit: str | None
    blobs: dict[str, str] = field(default_factory=dict)
    attempts: int = 1


def blob_sha(text: str) -> str:
    """The sha git gives this text as a blob (to compare with the repository's)."""
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def write_and_push(
    workspace: Workspace,
    *,
    make_files: Callable[[Workspace], dict[str, str]],
    message: str,
    max_attempts: int = 3,
) -> Publication:
    """Fetch, commit what `make_files(workspace)` returns, push; when the push is rejected
    because the remote moved, fetch the new head and redo the commit on it (the files are
    rebuilt from the new head, so nothing pushed meanwhile is lost), up to `max_attempts`."""
    for attempt in range(1, max_attempts + 1):
        if attempt > 1:
            workspace.fetch()
        files = make_files(workspace)
        commit = workspace.commit(files, message)
        blobs = {path: blob_sha(text) for path, text in files.items()}
        if commit is None:
            return Publication(None, blobs, attempt)
        try:
            workspace.push(commit)
        except GitRejected:
            if attempt == max_attempts:
                raise
            continue
        return Publication(commit, blobs, attempt)
    raise AssertionError("unreachable")
