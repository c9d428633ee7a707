"""The one rule for URLs the platform calls out to (group robots now, webhooks later): http or
https, to a host on the administrator's OUTBOUND_URL_ALLOWLIST. Without it, anyone who may set up a
group robot could make this server call itself or other internal addresses.

Allowlist entries are host names or IP addresses, matched exactly (case and a trailing dot
ignored), or "*.example.com" / ".example.com", matching any name under example.com. A host named
exactly is the administrator's own choice (an intranet SMS gateway, a local fake in demo mode) and
is trusted as it is; a host matched only by a wildcard is resolved at send time and refused when
any of its addresses is private, loopback, link-local or otherwise not public.

The URL is parsed with httpx, the client that sends it, so the host checked is the host called."""

import ipaddress
import socket

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from vcassure.core.errors import InvalidInputError

ALLOWED_SCHEMES = {"http", "https"}
# Problems, as codes: the sender records the code (English, for the delivery log); the edge
# shows the Chinese message.
SCHEME, HOST, ADDRESS = "scheme", "host", "address"


def _normalise(host: str) -> str:
    return host.strip().lower().rstrip(".")


def allowlist() -> tuple[set[str], list[str]]:
    """(exact host names, wildcard suffixes such as ".example.com") from the setting."""
    exact: set[str] = set()
    suffixes: list[str] = []
    for entry in getattr(settings, "OUTBOUND_URL_ALLOWLIST", []):
        entry = _normalise(str(entry))
        if entry.startswith("*."):
            suffixes.append(entry[1:])
        elif entry.startswith("."):
            suffixes.append(entry)
        elif entry:
            exact.add(entry.strip("[]"))
    return exact, suffixes


def resolve_addresses(host: str, port: int) -> list[str]:
    """Every address the name resolves to (a seam for tests)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local)


def outbound_url_problem(url: str, *, resolve: bool = False) -> str | None:
    """None when the URL may be called, otherwise SCHEME, HOST or ADDRESS. With resolve=True
    (at send time) a host allowed only by a wildcard must resolve to public addresses alone."""
    return outbound_url_checked(url, resolve=resolve)[1]


def outbound_url_checked(url: str, *, resolve: bool = False) -> tuple[httpx.URL | None, str | None]:
    """The URL parsed (for the sender to call as it is: no second parse) and its problem, as
    outbound_url_problem."""
    if not url or any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in url):
        return None, HOST
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return None, HOST
    return parsed, _parsed_problem(parsed, resolve=resolve)


def _parsed_problem(parsed: httpx.URL, *, resolve: bool) -> str | None:
    if parsed.scheme not in ALLOWED_SCHEMES:
        return SCHEME
    host = _normalise(parsed.host)
    if not host:
        return HOST
    exact, suffixes = allowlist()
    if host in exact:
        return None
    if not any(host.endswith(suffix) for suffix in suffixes):
        return HOST
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return HOST  # an address literal is allowed only when named exactly
    if not resolve:
        return None
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        addresses = resolve_addresses(host, port)
    except (OSError, UnicodeError):
        return ADDRESS
    if not addresses or not all(is_public_address(a) for a in addresses):
        return ADDRESS
    return None


def check_outbound_url(url: str, *, resolve: bool = False, field: str = "webhook_url") -> None:
    """Raise InvalidInputError (with a field error) unless the URL may be called."""
    problem = outbound_url_problem(url, resolve=resolve)
    if problem is None:
        return
    message = (
        _("外发地址只能使用 http 或 https。")
        if problem == SCHEME
        else _("该地址不在允许的外发地址名单中。")
    )
    raise InvalidInputError(message, errors=[{"field": field, "message": message}])
