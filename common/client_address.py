"""The address a request came from, seen through the reverse proxies the operator trusts.

Behind nginx every request arrives from the proxy's address, so per-client limits would be one
allowance for everybody. X-Forwarded-For is believed only as far as it was written by proxies
listed in TRUSTED_PROXIES: read from the right, the first address that is not a trusted proxy is
the client. Anything a client wrote into the header itself stays to the left and is never used.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.TRUSTED_PROXIES]


def _trusted(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR", ""))
    networks = _networks()
    if not networks or not _trusted(remote, networks):
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # a garbled header: trust nothing beyond the last good proxy
        if not _trusted(hop, networks):
            return hop
        remote = hop
    return remote
