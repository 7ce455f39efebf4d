"""Which image URLs agentclinic may fetch: ``http``/``https`` to public hosts only.

Case files and datasets are shared, so an image URL is untrusted input. Without a policy a
``file://`` URL would copy a local file into the cache (and show it to the doctor), and a
URL naming ``127.0.0.1`` or a private address would make this machine send requests inside
its own network (server-side request forgery). The validator, the fetcher and the importer
all ask this module, so they cannot disagree.

A host is refused when ANY address it resolves to is loopback, private, link-local,
multicast, reserved, unspecified or otherwise not global, unless the environment variable
``AGENTCLINIC_ALLOW_PRIVATE_IMAGE_HOSTS`` allows it: ``1`` for every such host (a local image
server, tests), or a comma-separated list of addresses and networks for only those.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import socket
import urllib.parse
from collections.abc import Callable

ALLOW_PRIVATE_ENV = "AGENTCLINIC_ALLOW_PRIVATE_IMAGE_HOSTS"
ALLOWED_SCHEMES = ("http", "https")
ALLOW_HINT = f"set {ALLOW_PRIVATE_ENV}=1 to allow private image hosts"

Resolver = Callable[[str, int], list[str]]

# Most specific first: 169.254.0.0/16 is also "private" to ipaddress, but "link-local" says more.
_NOT_PUBLIC = ("loopback", "link_local", "unspecified", "multicast", "reserved", "private")


class UrlRefused(ValueError):
    """A URL the policy does not allow; the message says why."""


def allowed_private_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network] | None:
    """What the user allowed, read on every call (so tests can set it): ``None`` for every
    private host (``1``, ``true``, ``yes``), else the listed addresses/networks (may be empty).

    ``AGENTCLINIC_ALLOW_PRIVATE_IMAGE_HOSTS=10.1.2.3,192.168.0.0/16`` allows only those.
    """
    value = os.environ.get(ALLOW_PRIVATE_ENV, "").strip()
    if value.lower() in {"1", "true", "yes", "on"}:
        return None
    networks = []
    for entry in filter(None, (part.strip() for part in value.split(","))):
        if entry.lower() in {"0", "false", "no", "off"}:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise UrlRefused(f"{ALLOW_PRIVATE_ENV} has {entry!r}, which is neither 1 nor an IP address or "
                             "network (e.g. 10.0.0.0/8)") from None
    return networks


def scheme_problem(url: str) -> str | None:
    """Why ``url`` is not an http(s) URL with a host, or ``None``. Pure: no network."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if not parts.scheme:
        return "has no scheme: image URLs must start with http:// or https://"
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        return f"scheme {parts.scheme + ':'!r} is not allowed: image URLs must start with http:// or https://"
    if not parts.hostname:
        return "has no host name"
    return None


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 scope ("fe80::1%eth0") is not part of it
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped  # ::ffff:127.0.0.1 reaches 127.0.0.1
    return ip


def address_problem(address: str) -> str | None:
    """What kind of non-public address ``address`` is ("a loopback address"), or ``None``."""
    ip = _ip(address)
    for kind in _NOT_PUBLIC:
        if getattr(ip, f"is_{kind}"):
            return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind.replace('_', '-')} address"
    if not ip.is_global:  # e.g. 100.64.0.0/10, carrier-grade NAT
        return "not a public address"
    return None


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (raises OSError when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as exc:  # a label IDNA cannot encode (too long, empty)
        raise OSError(f"bad host name {host[:80]!r} ({exc})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _host_port(url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(url)
    default = 443 if parts.scheme.lower() == "https" else 80
    return parts.hostname or "", parts.port or default


def check_addresses(host: str, addresses: list[str]) -> None:
    """Raise :class:`UrlRefused` unless every address is public or allowed by the user."""
    allowed = None if not addresses else allowed_private_networks()
    for address in addresses:
        problem = address_problem(address)
        if not problem or allowed is None:
            continue
        ip = _ip(address)
        if any(ip.version == network.version and ip in network for network in allowed):
            continue
        said = f"{address} is" if address == host else f"host {host!r} resolves to {address},"
        raise UrlRefused(f"{said} {problem}; image hosts must be public ({ALLOW_HINT})")


def check_url(url: str, *, resolver: Resolver | None = resolve) -> None:
    """Raise :class:`UrlRefused` if ``url`` may not be fetched.

    With a ``resolver`` the host name is resolved and every address checked (it raises
    OSError when the name does not resolve); with ``None`` only the scheme and an
    IP-literal host are checked, without the network.
    """
    problem = scheme_problem(url)
    if problem:
        raise UrlRefused(problem)
    host, port = _host_port(url)
    if resolver is not None:
        check_addresses(host, resolver(host, port))
        return
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return  # a name, not an address: nothing to check without resolving it
    check_addresses(host, [str(literal)])


@functools.lru_cache(maxsize=1024)
def _resolve_once(host: str, port: int) -> tuple[str, ...] | None:
    try:
        return tuple(resolve(host, port))
    except OSError:
        return None


def url_problem(url: str) -> str | None:
    """Why a case's image URL breaks the policy, or ``None`` (for validation).

    Host names are resolved once per process: a pack names the same host many times, and
    an offline author must not wait on DNS for each. A name that does not resolve is no
    problem here (offline authoring); the fetcher checks again when it downloads.
    """
    try:
        check_url(url, resolver=None)
        host, port = _host_port(url)
        addresses = _resolve_once(host, port)
        if addresses is not None:
            check_addresses(host, list(addresses))
    except UrlRefused as exc:
        return str(exc)
    return None
