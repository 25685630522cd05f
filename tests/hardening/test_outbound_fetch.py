"""Organizer-configured digest sources must not turn the server into an SSRF proxy, a port
scanner or a local-file reader, and a fetch must end by its wall-clock deadline (issue 10,
findings 3 and 4).

Every server here is real and local (127.0.0.1): pytest-httpserver for HTTP, raw sockets for
the misbehaving ones. Local addresses are refused by default, so a test that needs to reach one
allows exactly that server through `OUTBOUND_ALLOWED_NETWORKS` ("127.0.0.1:PORT").
"""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import os
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.core.exceptions import ValidationError
from pytest_httpserver import HTTPServer

from papers.models import Digest, DigestSource
from papers.polling import poll_digest_source
from papers.tasks import poll_all_digest_sources
from seminar.lib import outbound
from tests.papers.conftest import SEED_DIGESTS

pytestmark = pytest.mark.django_db

DIGEST = SEED_DIGESTS[0].read_bytes()  # a valid digest: fetched, it would be imported
NOT_ALLOWED = "could not be fetched: the address is not allowed."


# --- local servers ---------------------------------------------------------------------------


class RawServer:
    """A TCP server in a thread that counts connections and answers each with `respond(conn)`."""

    def __init__(self, respond, *, family: int = socket.AF_INET, host: str = "127.0.0.1"):
        self.sock = socket.socket(family)
        self.sock.bind((host, 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port: int = self.sock.getsockname()[1]
        self.connections = 0
        self._respond = respond
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(5)
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                self._respond(conn, self._stop)
            except OSError:
                pass

    def close(self) -> None:
        self._stop.set()
        self.sock.close()
        self._thread.join(2)


def _answer_digest(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(DIGEST) + DIGEST)


def _drip(payload: bytes, seconds: float):
    """Send `payload` one byte per `seconds`, for at most 12 s (so old code ends, too)."""

    def respond(conn: socket.socket, stop: threading.Event) -> None:
        ends = time.monotonic() + 12
        for byte in payload:
            if stop.is_set() or time.monotonic() > ends:
                return
            conn.sendall(bytes([byte]))
            stop.wait(seconds)

    return respond


@pytest.fixture
def internal_service() -> Iterator[RawServer]:
    """What an internal service looks like: something on loopback that answers anything."""
    server = RawServer(_answer_digest)
    yield server
    server.close()


@pytest.fixture
def second_httpserver() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def black_holed_port() -> Iterator[int]:
    """A port whose SYNs go unanswered, as behind a dropping firewall: a listener with a
    backlog of one that never accepts, already holding one connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.create_connection(("127.0.0.1", port), timeout=2)
    probe = socket.socket()
    probe.settimeout(0.3)
    try:  # make sure this kernel drops the next SYN rather than refusing it
        probe.connect(("127.0.0.1", port))
        pytest.skip("this kernel accepts past a full backlog; cannot simulate a dropped SYN")
    except TimeoutError:
        pass
    finally:
        probe.close()
    yield port
    filler.close()
    listener.close()


def _allow(settings, *entries: str) -> None:
    settings.OUTBOUND_ALLOWED_NETWORKS = list(entries)


def _url_source(location: str, name: str = "daily") -> DigestSource:
    return DigestSource.objects.create(name=name, kind="url", location=location, days_back=1)


def _polled(source: DigestSource) -> DigestSource:
    poll_digest_source(source=source)
    source.refresh_from_db()
    return source


# --- finding 3: non-public addresses ---------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "127.1", "2130706433", "0.0.0.0", "[::ffff:127.0.0.1]"],
    ids=["loopback", "localhost", "short-form", "decimal", "unspecified", "ipv4-mapped"],
)
def test_a_source_on_a_loopback_address_is_refused_and_the_service_never_hears_of_it(
    internal_service, settings, host
):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    source = _polled(_url_source(f"http://{host}:{internal_service.port}/secret.md"))
    assert internal_service.connections == 0
    assert Digest.objects.count() == 0
    assert source.last_error.endswith(NOT_ALLOWED)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://198.18.0.1/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://255.255.255.255/",
        "http://[::1]/",
        "http://[::]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[ff02::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[2002:7f00:1::]/",
        "https://[2001:db8::1]/",
    ],
)
def test_outbound_refuses_non_public_addresses_without_connecting(url, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    started = time.monotonic()
    with pytest.raises(outbound.AddressNotAllowed):
        outbound.fetch(url, timeout=5, max_bytes=1000)
    assert time.monotonic() - started < 1  # refused, not tried and timed out


def test_ipv6_loopback_is_refused_and_the_service_never_hears_of_it(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    server = RawServer(_answer_digest, family=socket.AF_INET6, host="::1")
    try:
        with pytest.raises(outbound.AddressNotAllowed):
            outbound.fetch(f"http://[::1]:{server.port}/", timeout=2, max_bytes=10**6)
        assert server.connections == 0
    finally:
        server.close()


def test_a_host_is_refused_when_any_of_its_addresses_is_not_public():
    public = ipaddress.ip_address("93.184.216.34")
    assert outbound.address_allowed(public, 443)
    with pytest.raises(outbound.AddressNotAllowed):
        outbound.vet_addresses([public, ipaddress.ip_address("127.0.0.1")], 443)
    assert outbound.vet_addresses([public], 443) == [public]


def test_an_allowed_entry_with_a_port_allows_that_port_only(internal_service, settings):
    _allow(settings, f"127.0.0.1:{internal_service.port + 1}")
    with pytest.raises(outbound.AddressNotAllowed):
        outbound.fetch(f"http://127.0.0.1:{internal_service.port}/", timeout=2, max_bytes=10**6)
    assert internal_service.connections == 0
    _allow(settings, f"127.0.0.1:{internal_service.port}")
    response = outbound.fetch(
        f"http://127.0.0.1:{internal_service.port}/", timeout=2, max_bytes=10**6
    )
    assert (response.status, response.body) == (200, DIGEST)


def test_a_redirect_from_an_allowed_server_to_a_disallowed_one_is_not_followed(
    httpserver, second_httpserver, settings
):
    _allow(settings, f"127.0.0.1:{httpserver.port}")  # A is allowed, B is not
    second_httpserver.expect_request("/internal.md").respond_with_data(DIGEST)
    httpserver.expect_request("/moved.md").respond_with_data(
        "", status=302, headers={"Location": second_httpserver.url_for("/internal.md")}
    )
    source = _polled(_url_source(httpserver.url_for("/moved.md")))
    assert len(httpserver.log) == 1
    assert second_httpserver.log == []
    assert Digest.objects.count() == 0
    assert source.last_error == f"{httpserver.url_for('/moved.md')} {NOT_ALLOWED}"


@pytest.mark.parametrize("target", ["file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO"])
def test_a_redirect_to_another_scheme_is_not_followed(httpserver, settings, target):
    _allow(settings, "127.0.0.1/32")
    httpserver.expect_request("/moved.md").respond_with_data(
        "", status=302, headers={"Location": target}
    )
    with pytest.raises(outbound.AddressNotAllowed):
        outbound.fetch(httpserver.url_for("/moved.md"), timeout=2, max_bytes=1000)


def test_redirects_are_followed_a_few_times_only(httpserver, settings):
    _allow(settings, "127.0.0.1/32")
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )
    with pytest.raises(outbound.TooManyRedirects):
        outbound.fetch(httpserver.url_for("/loop"), timeout=5, max_bytes=1000)
    assert len(httpserver.log) == outbound.MAX_REDIRECTS + 1


def test_credentials_do_not_follow_a_redirect_to_another_origin(
    httpserver, second_httpserver, settings
):
    _allow(settings, "127.0.0.1/32")
    second_httpserver.expect_request("/there").respond_with_data("ok")
    httpserver.expect_request("/here").respond_with_data(
        "", status=307, headers={"Location": second_httpserver.url_for("/there")}
    )
    response = outbound.fetch(
        httpserver.url_for("/here"),
        timeout=5,
        max_bytes=1000,
        headers={"Authorization": "Bearer secret-token", "X-Trace": "1"},
    )
    assert (response.status, response.final_url) == (200, second_httpserver.url_for("/there"))
    sent = second_httpserver.log[0][0].headers
    assert "Authorization" not in sent
    assert sent["X-Trace"] == "1"
    assert httpserver.log[0][0].headers["Authorization"] == "Bearer secret-token"


def test_the_request_names_the_host_it_was_given_not_the_address_it_connected_to(
    httpserver, settings
):
    _allow(settings, "127.0.0.1/32")
    httpserver.expect_request("/").respond_with_data("ok")
    outbound.fetch(httpserver.url_for("/"), timeout=5, max_bytes=1000)
    assert httpserver.log[0][0].headers["Host"] == f"localhost:{httpserver.port}"


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory) -> dict[str, str]:
    """A throwaway CA and a certificate it signed for the name "localhost" only."""
    folder = tmp_path_factory.mktemp("tls")
    ca_key, ca_crt = folder / "ca.key", folder / "ca.crt"
    key, csr, crt = folder / "srv.key", folder / "srv.csr", folder / "srv.crt"
    ext = folder / "ext.cnf"
    ext.write_text("subjectAltName=DNS:localhost\n")

    def run(*args: str | Path) -> None:
        subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca_crt,
        "-days", "2", "-subj", "/CN=Seminar test CA")  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj",
        "/CN=localhost")  # fmt: skip
    run("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
        "-out", crt, "-days", "2", "-extfile", ext)  # fmt: skip
    return {"ca": str(ca_crt), "crt": str(crt), "key": str(key)}


def test_tls_is_verified_against_the_hostname_not_the_vetted_address(tls_files, settings):
    _allow(settings, "127.0.0.1/32")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(tls_files["crt"], tls_files["key"])
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=server_context)
    server.expect_request("/d.md").respond_with_data("over TLS")
    server.start()
    client_context = ssl.create_default_context(cafile=tls_files["ca"])
    try:
        ok = outbound.fetch(
            f"https://localhost:{server.port}/d.md",
            timeout=5,
            max_bytes=1000,
            ssl_context=client_context,
        )
        assert (ok.status, ok.body) == (200, b"over TLS")
        with pytest.raises(outbound.ConnectFailed):  # the certificate names localhost only
            outbound.fetch(
                f"https://127.0.0.1:{server.port}/d.md",
                timeout=5,
                max_bytes=1000,
                ssl_context=client_context,
            )
        with pytest.raises(outbound.ConnectFailed):  # an unknown CA is refused by default
            outbound.fetch(f"https://localhost:{server.port}/d.md", timeout=5, max_bytes=1000)
    finally:
        server.stop()


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1/{date}.md",
        "http://localhost:8000/d.md",
        "http://10.1.2.3/d.md",
        "http://169.254.169.254/latest/",
        "http://[::1]/d.md",
        "http://[::ffff:127.0.0.1]/d.md",
        "http://0.0.0.0/d.md",
        "http://api.localhost/d.md",
    ],
)
def test_a_source_url_on_a_non_public_literal_address_does_not_validate(location, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    with pytest.raises(ValidationError) as info:
        DigestSource(name="x", kind="url", location=location).full_clean()
    assert "not allowed" in " ".join(info.value.message_dict["location"])


# --- port scanning: one generic error, the detail in the log ---------------------------------


def test_organizers_see_the_same_error_for_a_closed_port_and_a_black_holed_one(
    closed_port, black_holed_port, settings, caplog
):
    _allow(settings, "127.0.0.1/32")
    settings.DIGEST_HTTP_TIMEOUT = 1
    closed = _url_source(f"http://127.0.0.1:{closed_port}/d.md", name="closed")
    filtered = _url_source(f"http://127.0.0.1:{black_holed_port}/d.md", name="filtered")
    with caplog.at_level(logging.WARNING, logger="papers.sources"):
        shown = {
            source.location: _polled(source).last_error.replace(source.location, "<url>")
            for source in (closed, filtered)
        }
    assert set(shown.values()) == {"<url> could not be fetched: could not connect."}
    assert "refused" in caplog.text.lower()  # the detail is in the log, for the admin
    assert "timed out" in caplog.text.lower()


def test_an_error_page_shows_its_status_and_nothing_of_its_text(httpserver, settings):
    _allow(settings, "127.0.0.1/32")
    httpserver.expect_request("/d.md").respond_with_data(
        "redis_version:7.2 internal details", status=500
    )
    source = _polled(_url_source(httpserver.url_for("/d.md")))
    assert source.last_error == f"{httpserver.url_for('/d.md')} could not be fetched: HTTP 500."


# --- finding 4: the wall-clock deadline -------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        b"HTTP/1.1 200 OK\r\nContent-Type: text/markdown\r\n\r\n",  # dripped status and headers
        b"HTTP/1.1 200 " + b"O" * 60 + b"\r\n\r\n",  # a long status line, dripped
    ],
    ids=["headers", "status-line"],
)
def test_a_server_dripping_headers_cannot_hold_a_fetch_past_its_deadline(settings, payload):
    server = RawServer(_drip(payload, seconds=0.5))
    _allow(settings, f"127.0.0.1:{server.port}")
    started = time.monotonic()
    try:
        with pytest.raises(outbound.TimedOut):
            outbound.fetch(f"http://127.0.0.1:{server.port}/", timeout=2, max_bytes=10**6)
    finally:
        server.close()
    assert time.monotonic() - started < 2 + 0.75  # a correctness bound, not a benchmark


def test_a_source_dripping_its_body_is_cut_off_at_the_deadline(settings):
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
    server = RawServer(
        lambda conn, stop: (conn.sendall(head), _drip(b"#" * 100, seconds=1)(conn, stop))
    )
    _allow(settings, f"127.0.0.1:{server.port}")
    settings.DIGEST_HTTP_TIMEOUT = 2
    source = _url_source(f"http://127.0.0.1:{server.port}/d.md")
    started = time.monotonic()
    try:
        source = _polled(source)
    finally:
        server.close()
    assert time.monotonic() - started < 2 + 0.75
    assert source.last_error == f"{source.location} could not be fetched: timed out after 2 s."
    assert Digest.objects.count() == 0


def test_a_body_larger_than_the_cap_is_refused_without_reading_it_all(settings):
    head = b"HTTP/1.1 200 OK\r\n\r\n"  # no length: read until the cap is passed
    server = RawServer(lambda conn, stop: conn.sendall(head + b"x" * 200_000))
    _allow(settings, f"127.0.0.1:{server.port}")
    try:
        with pytest.raises(outbound.TooLarge):
            outbound.fetch(f"http://127.0.0.1:{server.port}/", timeout=5, max_bytes=10_000)
    finally:
        server.close()


# --- folder sources: only under the configured roots ------------------------------------------


@pytest.fixture
def folders(tmp_path) -> dict[str, Path]:
    root = tmp_path / "digests"
    (root / "inbox").mkdir(parents=True)
    (root / "inbox" / "2025-05-26.md").write_bytes(DIGEST)
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.md").write_bytes(SEED_DIGESTS[3].read_bytes())
    return {"root": root, "inbox": root / "inbox", "outside": outside}


def _folder_source(location: Path | str) -> DigestSource:
    return DigestSource.objects.create(name="folder", kind="folder", location=str(location))


def test_folder_sources_are_disabled_without_configured_roots(folders, settings):
    settings.DIGEST_FOLDER_ROOTS = []
    source = _polled(_folder_source(folders["inbox"]))
    assert Digest.objects.count() == 0
    assert "not allowed" in source.last_error
    with pytest.raises(ValidationError):
        DigestSource(name="x", kind="folder", location=str(folders["inbox"])).full_clean()


def test_a_folder_source_inside_a_root_imports(folders, settings):
    settings.DIGEST_FOLDER_ROOTS = [str(folders["root"])]
    DigestSource(name="x", kind="folder", location=str(folders["inbox"])).full_clean()
    source = _polled(_folder_source(folders["inbox"]))
    assert (source.last_error, Digest.objects.count()) == ("", 1)


@pytest.mark.parametrize("escape", ["absolute", "dotdot", "symlinked-folder", "system"])
def test_a_folder_source_outside_the_roots_is_refused(folders, settings, escape):
    settings.DIGEST_FOLDER_ROOTS = [str(folders["root"])]
    if escape == "absolute":
        location = str(folders["outside"])
    elif escape == "dotdot":
        location = f"{folders['root']}/inbox/../../private"
    elif escape == "symlinked-folder":
        (folders["root"] / "link").symlink_to(folders["outside"], target_is_directory=True)
        location = str(folders["root"] / "link")
    else:
        location = "/etc"
    with pytest.raises(ValidationError) as info:
        DigestSource(name="x", kind="folder", location=location).full_clean()
    assert "location" in info.value.message_dict
    source = _polled(_folder_source(location))  # saved without validation, as by a script
    assert Digest.objects.count() == 0
    assert source.last_error == f"{location}: this folder is not allowed."


def test_a_symlinked_file_leading_out_of_the_root_is_not_read(folders, settings):
    settings.DIGEST_FOLDER_ROOTS = [str(folders["root"])]
    (folders["inbox"] / "leak.md").symlink_to(folders["outside"] / "secret.md")
    source = _polled(_folder_source(folders["inbox"]))
    assert list(Digest.objects.values_list("origin", flat=True)) == [
        str(folders["inbox"] / "2025-05-26.md")
    ]
    assert source.last_error == f"{folders['inbox'] / 'leak.md'}: this file is not allowed."


def test_a_missing_folder_outside_the_roots_reveals_nothing(folders, settings):
    settings.DIGEST_FOLDER_ROOTS = [str(folders["root"])]
    exists = _polled(_folder_source(folders["outside"])).last_error
    DigestSource.objects.all().delete()
    missing = _polled(_folder_source(folders["outside"].parent / "nope")).last_error
    assert exists.replace(str(folders["outside"]), "<f>") == missing.replace(
        str(folders["outside"].parent / "nope"), "<f>"
    )


# --- polling: one task per source --------------------------------------------------------------

REDIS_DB9 = "redis://127.0.0.1:6379/9"


@pytest.fixture
def broker_db9(broker_at) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_DB9)
    client.flushdb()
    broker_at(REDIS_DB9)
    yield client
    broker_at(None)
    client.flushdb()
    client.close()


def test_polling_sends_one_task_per_enabled_source(broker_db9, settings):
    settings.DIGEST_FOLDER_ROOTS = [os.sep]
    ids = [
        DigestSource.objects.create(name=f"s{n}", kind="url", location=f"https://e{n}.org/d").pk
        for n in range(3)
    ]
    DigestSource.objects.create(name="off", kind="url", location="https://x.org/", enabled=False)
    poll_all_digest_sources()  # the beat task itself, run here; its tasks go to the broker
    sent = []
    for raw in broker_db9.lrange("celery", 0, -1):
        message = json.loads(raw)
        args = json.loads(base64.b64decode(message["body"]))[0]
        sent.append((message["headers"]["task"], args))
    assert sorted(sent) == sorted(("papers.poll_digest_source", [pk]) for pk in ids)
    assert DigestSource.objects.filter(last_polled_at__isnull=False).count() == 0
