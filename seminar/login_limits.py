"""Failed sign-ins are counted per (client address, account), not per account alone.

allauth keys its "five failures in five minutes" limit by the account's email. Anyone who
knows an address (the organizer's is on every page) could then fail five times and lock its
owner out, again and again. Adding the client's address to the key keeps the limit where it
stops guessing (one address cannot try more than five passwords on one account, and the
per-address limit caps it at ten a minute over all accounts) without making it a switch that
strangers can flip for someone else's account.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from allauth import app_settings as allauth_settings
from django.http import HttpRequest

from seminar import adapters


def client_network(ip: str, *, ipv6_prefix: int) -> str:
    """The address a limit should count: an IPv6 client owns a whole /64 (or the configured
    prefix), so counting single addresses there would let it rotate past the limit."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{address}/{ipv6_prefix}", strict=False).network_address)
    return str(address)


class AccountAdapter(adapters.AccountAdapter):
    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth uses this key for the failure limit and clears it after a password reset;
        # behind a proxy, `get_client_ip` honours ALLAUTH_TRUSTED_PROXY_COUNT.
        account = super()._get_login_attempts_cache_key(request, **credentials)
        network = client_network(
            self.get_client_ip(request), ipv6_prefix=allauth_settings.RATE_LIMIT_IPV6_PREFIX
        )
        return f"{network}|{account}"
