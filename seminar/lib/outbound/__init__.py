"""HTTP(S) requests to URLs that someone other than the operator chose: `fetch` (see
`client` for what it guarantees), the address rules it applies (`addresses`) and its errors."""

from seminar.lib.outbound.addresses import (
    AllowedNetwork,
    address_allowed,
    configured_allowances,
    is_public,
    literal_address,
    parse_allowed_networks,
    vet_addresses,
)
from seminar.lib.outbound.client import MAX_REDIRECTS, USER_AGENT, fetch
from seminar.lib.outbound.errors import (
    AddressNotAllowed,
    BadResponse,
    ConnectFailed,
    InvalidURL,
    OutboundError,
    Response,
    TimedOut,
    TooLarge,
    TooManyRedirects,
)

__all__ = [
    "MAX_REDIRECTS",
    "USER_AGENT",
    "AddressNotAllowed",
    "AllowedNetwork",
    "BadResponse",
    "ConnectFailed",
    "InvalidURL",
    "OutboundError",
    "Response",
    "TimedOut",
    "TooLarge",
    "TooManyRedirects",
    "address_allowed",
    "configured_allowances",
    "fetch",
    "is_public",
    "literal_address",
    "parse_allowed_networks",
    "vet_addresses",
]
