"""What an outbound request can fail with (one class per kind of failure) and what it returns."""

from __future__ import annotations

import http.client
from dataclasses import dataclass


class OutboundError(Exception):
    """A request failed. The text is the detail for the log, not for users."""


class InvalidURL(OutboundError):
    """Not an absolute http(s) URL that can be requested."""


class AddressNotAllowed(OutboundError):
    """The scheme, or an address the host resolves to, is not allowed."""


class ConnectFailed(OutboundError):
    """No connection: unknown host, refused, unreachable, no answer, TLS handshake failed."""


class TimedOut(OutboundError):
    """Connected, but the whole exchange did not finish before the deadline."""


class TooLarge(OutboundError):
    """The body is larger than allowed."""


class TooManyRedirects(OutboundError):
    """More than `MAX_REDIRECTS` redirects."""


class BadResponse(OutboundError):
    """Connected, but no valid HTTP answer came back (garbage, cut short, reset)."""


@dataclass(frozen=True)
class Response:
    status: int
    headers: http.client.HTTPMessage  # case-insensitive `.get()`, `.get_all()`
    body: bytes
    final_url: str  # after redirects
