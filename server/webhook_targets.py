"""Where a webhook may be sent: refusing URLs that would turn the server into a
client of its own network (server-side request forgery).

A subscription's URL must be ``http`` or ``https``, carry no credentials, and name
a host whose every address is public: not loopback, private, link-local (the cloud
metadata service at 169.254.169.254), shared, reserved or multicast. The operator
may allow private targets (``SHIFTDESK_WEBHOOK_ALLOW_PRIVATE=1``: receivers on the
same network); schemes and credentials are refused regardless.

The check runs when a subscription is made or changed and again before every try:
a name that resolved to a public address at subscribe time may resolve to
127.0.0.1 later (DNS rebinding). The try then connects to the very address that
was checked (:func:`pin`), never resolving the name a second time; the ``Host``
header and, for https, the TLS server name stay the URL's.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from core.wire import INVALID, Problem, WireError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The URL may not be sent to; the message says why."""


def _public(address: Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return address.is_global and not address.is_multicast


def _parts(url: str) -> SplitResult:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("must be an http or https URL")
    if parts.username is not None or parts.password is not None:
        raise Refused("must not carry a user name or password (put secrets in the secret)")
    try:
        parts.port  # noqa: B018 - a port out of range raises here
    except ValueError as exc:
        raise Refused("has an invalid port") from exc
    return parts


def _addresses(host: str, port: int) -> list[Address]:
    """The addresses ``host`` names (an address literal is itself); [] when the name
    does not resolve now."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in found))


def _default_port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def _refuse_private(host: str, addresses: list[Address]) -> None:
    bad = [a for a in addresses if not _public(a)]
    if bad:
        resolved = "" if host.strip("[]") == str(bad[0]) else f" (resolved to {bad[0]})"
        raise Refused(
            f"names {host}{resolved}, a loopback, private, link-local or reserved address;"
            " the server's operator can allow such targets (SHIFTDESK_WEBHOOK_ALLOW_PRIVATE=1)"
        )


def check_url(value: Any, *, allow_private: bool) -> str:
    """A subscription's URL, or a 400 naming ``url``. A name that does not resolve
    now is accepted (it is checked again before every try)."""
    if not isinstance(value, str) or len(value) > 2000:
        raise WireError([Problem("url", INVALID, "must be an http or https URL")])
    try:
        parts = _parts(value)
        if not allow_private:
            host = parts.hostname or ""
            _refuse_private(host, _addresses(host, _default_port(parts)))
    except Refused as exc:
        raise WireError([Problem("url", INVALID, str(exc))]) from exc
    return value


@dataclass(frozen=True)
class Pinned:
    """A try's request: the URL with the checked address in place of the name, and
    what keeps the name for the receiver (``Host``, the TLS server name)."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)


def pin(url: str, *, allow_private: bool) -> Pinned:
    """Resolve ``url``'s host once, check every address (unless private targets are
    allowed) and aim the request at the first; :class:`Refused` otherwise."""
    parts = _parts(url)
    host = parts.hostname or ""
    addresses = _addresses(host, _default_port(parts))
    if not addresses:
        raise Refused(f"the name {host} does not resolve")
    if not allow_private:
        _refuse_private(host, addresses)
    try:
        ipaddress.ip_address(host)
        return Pinned(url)  # an address already: nothing to resolve again
    except ValueError:
        pass
    first = addresses[0]
    literal = f"[{first}]" if first.version == 6 else str(first)
    netloc = literal + (f":{parts.port}" if parts.port else "")
    pinned = urlunsplit(parts._replace(netloc=netloc))
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return Pinned(pinned, {"Host": parts.netloc}, extensions)
