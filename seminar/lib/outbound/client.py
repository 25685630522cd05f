"""HTTP(S) requests to URLs that someone other than the operator chose.

Digest sources today, and later anything that calls out on an organizer's or a member's say
(arXiv and Hugging Face APIs, chat webhooks), go through `fetch`. Without this, a URL typed into
the admin reaches whatever the server can reach: the cloud metadata service, Redis, PostgreSQL,
the admin on localhost; and its error messages tell which internal ports are open. `fetch`:

- resolves the host itself and refuses it if ANY of its addresses is not public (loopback,
  private, link-local, shared, reserved, multicast, unspecified, IPv4-mapped, 6to4/NAT64 around
  a non-public IPv4 address), then connects to one of exactly those vetted addresses, so a DNS
  answer that changes between the check and the connection (rebinding) cannot move it. The Host
  header and TLS (SNI, certificate check) still use the hostname;
- follows redirects itself (at most `MAX_REDIRECTS`), checking the scheme and the addresses of
  every hop again, and drops credentials when a redirect leaves the origin;
- keeps ONE wall-clock deadline over the whole exchange (DNS, connect, TLS, request, headers,
  body, every redirect): each socket operation gets the time that is left, so a server that
  drips one byte a second cannot stretch it;
- refuses bodies over `max_bytes` (announced or streamed) and asks for no compression.

Errors are `OutboundError` subclasses, one per kind of failure. Their text is the detail for the
server's log; callers show users a fixed message per class (an internal detail such as
"Connection refused" versus a timeout is exactly what a port scan reads).

`OUTBOUND_ALLOWED_NETWORKS` (default empty) lets a deployment or a test reach non-public
addresses on purpose: "10.0.0.0/8" (any port), "127.0.0.1:8001", "[::1]:8001", "[fd00::/8]:443".
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote, urljoin, urlsplit

from seminar.lib.outbound.addresses import (
    IPAddress,
    configured_allowances,
    literal_address,
    parse_allowed_networks,
    vet_addresses,
)
from seminar.lib.outbound.errors import (
    AddressNotAllowed,
    BadResponse,
    ConnectFailed,
    InvalidURL,
    Response,
    TimedOut,
    TooLarge,
    TooManyRedirects,
)

MAX_REDIRECTS = 5


USER_AGENT = "Seminar/1.0"


_CHUNK = 64 * 1024


_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


# Sent to the origin they were given for, never on to another one.
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


_BODY_HEADERS = frozenset({"content-type", "content-length", "content-encoding"})


# Set here, whatever the caller passes: the Host names the URL's host, no compression.
_OWN_HEADERS = frozenset({"host", "accept-encoding", "connection", "content-length"})


_DEFAULT_PORTS = {"http": 80, "https": 443}


# A URL path keeps its reserved characters and escapes; anything else (spaces, non-ASCII) is
# percent-encoded so the request line stays one line of ASCII.
_PATH_SAFE = "!#$%&'()*+,/:;=?@[]~"


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; `TimedOut` once there are none."""
        left = self.ends - time.monotonic()
        if left <= 0:
            raise TimedOut(f"no complete answer within {self.seconds:g} s")
        return left


class _DeadlineReader(io.RawIOBase):
    """What http.client reads the response from: every read gets only the time that is left."""

    def __init__(self, owner: _DeadlineSocket) -> None:
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        sock, deadline = self._owner._sock, self._owner._deadline
        sock.settimeout(deadline.remaining())
        try:
            return sock.recv_into(buffer)
        except TimeoutError as exc:
            raise TimedOut(f"no complete answer within {deadline.seconds:g} s") from exc

    def close(self) -> None:
        if not self.closed:
            super().close()
            self._owner._reader_closed()


class _DeadlineSocket:
    """The parts of a socket http.client uses, each bounded by the deadline.

    Like `socket.makefile`, an open reader keeps the socket open: http.client closes its
    connection as soon as the headers say "Connection: close", and reads the body after.
    """

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._deadline = deadline
        self._readers = 0
        self._closed = False

    def makefile(self, mode: str = "rb", *args, **kwargs) -> io.BufferedReader:
        self._readers += 1
        return io.BufferedReader(_DeadlineReader(self), _CHUNK)

    def _reader_closed(self) -> None:
        self._readers -= 1
        if self._closed and not self._readers:
            self._sock.close()

    def sendall(self, data) -> None:
        view = memoryview(data if isinstance(data, bytes | bytearray) else bytes(data))
        try:
            while view:
                self._sock.settimeout(self._deadline.remaining())
                sent = self._sock.send(view[:_CHUNK])
                view = view[sent:]
        except TimeoutError as exc:
            raise TimedOut(f"request not sent within {self._deadline.seconds:g} s") from exc

    def close(self) -> None:
        self._closed = True
        if not self._readers:
            self._sock.close()


class _VettedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to one of the vetted addresses, never to a fresh DNS answer."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        addresses: Sequence[IPAddress],
        deadline: _Deadline,
        tls: ssl.SSLContext | None,
    ) -> None:
        super().__init__(host, port)
        self.default_port = 443 if tls else 80  # so the Host header omits only that port
        self._addresses = addresses
        self._deadline = deadline
        self._tls = tls

    def connect(self) -> None:
        raw = self._connect_tcp()
        if self._tls is not None:
            try:
                raw.settimeout(self._remaining_to_connect())
                raw = self._tls.wrap_socket(raw, server_hostname=self.host)
            except ConnectFailed:
                raw.close()
                raise
            except (OSError, ssl.CertificateError) as exc:  # SSLError and timeouts included
                raw.close()
                raise ConnectFailed(f"TLS with {self.host}: {exc}") from exc
        self.sock = _DeadlineSocket(raw, self._deadline)

    def _connect_tcp(self) -> socket.socket:
        failures = []
        for index, ip in enumerate(self._addresses):
            # Leave the later addresses a share of the time: one black hole must not eat it all.
            share = self._remaining_to_connect() / (len(self._addresses) - index)
            family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            raw = socket.socket(family, socket.SOCK_STREAM)
            try:
                raw.settimeout(share)
                raw.connect((str(ip), self.port))
            except OSError as exc:
                raw.close()
                failures.append(f"{ip}:{self.port}: {exc or type(exc).__name__}")
                continue
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return raw
        raise ConnectFailed("; ".join(failures) or f"no address for {self.host}")

    def _remaining_to_connect(self) -> float:
        # Running out of time before a connection exists is a failure to connect, like a
        # refusal: a filtered port and a closed one must look alike to whoever reads the error.
        try:
            return self._deadline.remaining()
        except TimedOut as exc:
            raise ConnectFailed(f"{self.host}:{self.port}: {exc}") from exc


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str  # ASCII (IDNA), no brackets
    port: int
    path: str  # request target: path and query

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"{url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise AddressNotAllowed(f"{url!r}: only http and https are fetched")
    if parts.username is not None or parts.password is not None:
        raise InvalidURL(f"{url!r}: credentials in the URL are not sent")
    host = parts.hostname or ""
    if not host:
        raise InvalidURL(f"{url!r}: no host")
    if literal_address(host) is None:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise InvalidURL(f"{url!r}: bad host name") from exc
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=_PATH_SAFE)
    return _Target(url, scheme, host, port or _DEFAULT_PORTS[scheme], path)


def _resolve(host: str, port: int, deadline: _Deadline) -> list[IPAddress]:
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    # getaddrinfo cannot be given a timeout: run it aside and stop waiting at the deadline (a
    # stuck lookup then ends in its own time, in a daemon thread).
    found: dict[str, object] = {}

    def lookup() -> None:
        try:
            found["infos"] = socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
        except Exception as exc:  # OSError, UnicodeError, ValueError (a NUL in the name)
            found["error"] = exc

    worker = threading.Thread(target=lookup, name="outbound-dns", daemon=True)
    worker.start()
    try:
        worker.join(deadline.remaining())
        deadline.remaining()
    except TimedOut as exc:
        raise ConnectFailed(f"{host}: no DNS answer in time") from exc
    if "error" in found:
        raise ConnectFailed(f"{host}: {found['error']}")
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in found["infos"]:  # type: ignore[union-attr]
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    return addresses


@cache
def _default_tls() -> ssl.SSLContext:
    return ssl.create_default_context()


def fetch(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    headers: Mapping[str, str] | None = None,
    method: str = "GET",
    body: bytes | None = None,
    follow_redirects: bool = True,
    ssl_context: ssl.SSLContext | None = None,
    allowed_networks: Iterable[str] | None = None,
) -> Response:
    """Request `url`, following redirects, within `timeout` seconds in all, the body within
    `max_bytes`. Any status comes back as a `Response` (redirects are followed, not returned,
    unless `follow_redirects` is False); every failure raises an `OutboundError` subclass.

    `allowed_networks` replaces `settings.OUTBOUND_ALLOWED_NETWORKS` for this call.
    """
    deadline = _Deadline(timeout)
    allowed = (
        configured_allowances()
        if allowed_networks is None
        else parse_allowed_networks(allowed_networks)
    )
    tls = ssl_context or _default_tls()
    send_headers = {"User-Agent": USER_AGENT, **_without(headers or {}, _OWN_HEADERS)}
    target = _target(url)
    for _hop in range(MAX_REDIRECTS + 1):
        addresses = vet_addresses(
            _resolve(target.host, target.port, deadline), target.port, allowed
        )
        connection = _VettedConnection(
            host=target.host,
            port=target.port,
            addresses=addresses,
            deadline=deadline,
            tls=tls if target.scheme == "https" else None,
        )
        response = None
        try:
            response = _send(connection, target, method, send_headers, body)
            location = response.getheader("Location")
            if follow_redirects and response.status in _REDIRECT_STATUSES and location:
                following = _target(urljoin(target.url, location.strip()))
                if response.status == 303 or (
                    response.status in (301, 302) and method not in ("GET", "HEAD")
                ):
                    method, body = "GET", None
                    send_headers = _without(send_headers, _BODY_HEADERS)
                if following.origin != target.origin:
                    send_headers = _without(send_headers, _CREDENTIAL_HEADERS)
                target = following
                continue
            data = _read_body(response, max_bytes, deadline)
            return Response(response.status, response.headers, data, target.url)
        except http.client.InvalidURL as exc:
            raise InvalidURL(f"{target.url!r}: {exc}") from exc
        except (http.client.HTTPException, OSError) as exc:
            raise BadResponse(f"{target.url}: {type(exc).__name__}: {exc}") from exc
        finally:
            if response is not None:
                response.close()
            connection.close()
    raise TooManyRedirects(f"{url}: more than {MAX_REDIRECTS} redirects")


def _send(
    connection: _VettedConnection,
    target: _Target,
    method: str,
    headers: Mapping[str, str],
    body: bytes | None,
) -> http.client.HTTPResponse:
    connection.putrequest(method, target.path, skip_accept_encoding=True)
    # "identity": a compressed body could be far larger than `max_bytes` once unpacked.
    connection.putheader("Accept-Encoding", "identity")
    connection.putheader("Connection", "close")
    for name, value in headers.items():
        connection.putheader(name, value)
    if body is not None or method in ("POST", "PUT", "PATCH"):
        connection.putheader("Content-Length", str(len(body or b"")))
    connection.endheaders(body)
    return connection.getresponse()


def _read_body(response: http.client.HTTPResponse, max_bytes: int, deadline: _Deadline) -> bytes:
    if response.length is not None and response.length > max_bytes:
        raise TooLarge(f"announced {response.length} bytes, the limit is {max_bytes}")
    chunks, received = [], 0
    while True:
        chunk = response.read(min(_CHUNK, max_bytes + 1 - received))
        if not chunk:
            return b"".join(chunks)
        received += len(chunk)
        if received > max_bytes:
            raise TooLarge(f"more than {max_bytes} bytes")
        chunks.append(chunk)
        deadline.remaining()


def _without(headers: Mapping[str, str], names: frozenset[str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name.lower() not in names}
