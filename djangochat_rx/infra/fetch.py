"""Fetching a page or a picture from the open web for link previews, guarded against server-side request forgery.

A URL a person typed must never make the server reach what only the server can reach (its own loopback, the
private network, a cloud's metadata address). Each hop, the first and every redirect: http or https only, no
userinfo, a port of LINK_PREVIEW_ALLOWED_PORTS, a host the caller allows (the domain allow-list); its name is
resolved once and refused when any address it answers is not a global one (`address_forbidden`, IPv4 and IPv6,
IPv4 inside IPv6 included) unless in LINK_PREVIEW_ALLOWED_NETWORKS; then the connection goes to that vetted
address itself, with the name in the Host header and in TLS (SNI and the certificate's check), so a second answer
of the DNS (rebinding) is never asked for. Redirects are followed by hand, at most LINK_PREVIEW_MAX_REDIRECTS.
Every fetch ends within LINK_PREVIEW_TIMEOUT_SECONDS (connect and read timeouts besides), reads at most the bytes
it is given (counted after decompression, so a gzip bomb stops there too) and takes only the content types asked
for. No cookie, no proxy from the environment, no credentials: a site learns the URL, our address and our
User-Agent, nothing of who posted it.
"""

import asyncio
import ipaddress
import socket
import ssl
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from urllib.parse import urljoin, urlsplit

import certifi
import httpx

from djangochat_rx import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
SCHEMES = {"http": 80, "https": 443}
# NAT64's well-known prefix (RFC 6052): its last 32 bits are an IPv4 address.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """A fetch the rules refuse, or one that failed; the text says why (for the log, never shown to a user)."""


@dataclass(frozen=True)
class Fetched:
    """What a fetch got: the URL it ended at (after redirects), its media type and charset, and its body."""

    url: str
    content_type: str
    charset: str
    body: bytes


def _embedded_v4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), 6to4
    (2002::/16), Teredo's server and client (2001::/32), NAT64 (64:ff9b::/96)."""
    found = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if address in _NAT64 or int(address) >> 32 == 0:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [embedded for embedded in found if embedded is not None]


def address_forbidden(address: Address) -> bool:
    """True for an address a preview must never reach: anything not global (loopback, private, link-local,
    shared 100.64/10, documentation, benchmarking, unspecified, reserved, unique-local fc00::/7, ...), multicast,
    and an IPv6 address carrying a forbidden IPv4 one."""
    if (
        not address.is_global
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    ):
        return True
    if isinstance(address, ipaddress.IPv6Address):
        return any(address_forbidden(embedded) for embedded in _embedded_v4(address) if int(embedded))
    return False


def address_allowed(address: Address) -> bool:
    """May a fetch connect to `address`: a global one, or one of LINK_PREVIEW_ALLOWED_NETWORKS."""
    for network in settings.LINK_PREVIEW_ALLOWED_NETWORKS:
        if address in ipaddress.ip_network(network, strict=False):
            return True
    return not address_forbidden(address)


async def resolve(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to (the system's resolver, off the event loop)."""
    answers = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(answer[4][0].split("%", 1)[0]) for answer in answers]


@dataclass(frozen=True)
class _Hop:
    """A URL checked and its host resolved once: where the connection goes, and what it says it is for."""

    url: str
    scheme: str
    host: str
    port: int
    address: Address

    def target(self) -> httpx.URL:
        """The URL with the vetted address in place of the name (the name rides in Host and TLS)."""
        return httpx.URL(self.url).copy_with(host=str(self.address), port=self.port)

    def host_header(self) -> str:
        named = f"[{self.host}]" if ":" in self.host else self.host
        return named if self.port == SCHEMES[self.scheme] else f"{named}:{self.port}"


async def vet(url: str, host_allowed: Callable[[str], bool] = lambda host: True) -> _Hop:
    """`url` checked (scheme, userinfo, port, host) and its host resolved once to an allowed address; Refused
    otherwise. Every address the name answers must be allowed: one forbidden answer refuses it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused(f"not a web address: {url!r}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise Refused(f"not http or https: {url!r}")
    if "@" in parts.netloc:
        raise Refused(f"a user or password in the address: {url!r}")
    try:
        host = (parts.hostname or "").rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        raise Refused(f"not a host name: {url!r}") from None
    if not host:
        raise Refused(f"no host: {url!r}")
    port = port or SCHEMES[scheme]
    if port not in settings.LINK_PREVIEW_ALLOWED_PORTS:
        raise Refused(f"port {port} is not allowed: {url!r}")
    if not host_allowed(host):
        raise Refused(f"{host} is not on the allow-list")
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = await resolve(host, port)
        except (OSError, UnicodeError, ValueError) as error:
            raise Refused(f"{host} does not resolve: {error}") from None
    if not addresses:
        raise Refused(f"{host} resolves to nothing")
    if refused := [str(address) for address in addresses if not address_allowed(address)]:
        raise Refused(f"{host} resolves to a forbidden address ({', '.join(refused)})")
    return _Hop(url, scheme, host, port, addresses[0])


class _Decoder:
    """A body's bytes as sent (identity, gzip or deflate) decoded, and refused past `limit` decoded bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise Refused(f"content encoding {encoding!r} is not accepted")
        # gzip or zlib by their headers (wbits + 32); never more out than the limit allows, however small the in.
        self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 32) if encoding not in ("", "identity") else None
        self._limit = limit
        self.body = bytearray()

    def feed(self, chunk: bytes) -> None:
        if self._inflate is None:
            self._add(chunk)
            return
        try:
            while chunk:
                self._add(self._inflate.decompress(chunk, self._limit - len(self.body) + 1))
                chunk = self._inflate.unconsumed_tail
        except zlib.error as error:
            raise Refused(f"a broken compressed body: {error}") from None

    def _add(self, data: bytes) -> None:
        self.body += data
        if len(self.body) > self._limit:
            raise Refused(f"over {self._limit} bytes")


def _media_type(value: str) -> tuple[str, str]:
    """A Content-Type's media type (lowercase) and its charset ("" when none)."""
    kind, *params = value.split(";")
    charset = ""
    for param in params:
        name, _, found = param.strip().partition("=")
        if name.strip().lower() == "charset":
            charset = found.strip().strip('"').lower()
    return kind.strip().lower(), charset


def _timeouts() -> httpx.Timeout:
    return httpx.Timeout(
        connect=settings.LINK_PREVIEW_CONNECT_SECONDS,
        read=settings.LINK_PREVIEW_READ_SECONDS,
        write=settings.LINK_PREVIEW_READ_SECONDS,
        pool=settings.LINK_PREVIEW_CONNECT_SECONDS,
    )


@cache
def _tls() -> ssl.SSLContext:
    """The certificate checks of every fetch, made once: a client that made its own loaded the CA bundle each time
    (17 ms on the event loop per client, four clients per card: the bench's p99 with link previews +65 %)."""
    return ssl.create_default_context(cafile=certifi.where())


async def _get(hop: _Hop, accept: tuple[str, ...], max_bytes: int) -> Fetched | str:
    """One request to the hop's vetted address: what it answered, or the next URL when it redirects."""
    headers = {
        "Host": hop.host_header(),
        "User-Agent": settings.LINK_PREVIEW_USER_AGENT,
        "Accept": ", ".join(f"{kind}*" if kind.endswith("/") else kind for kind in accept),
        "Accept-Encoding": "gzip, deflate",
    }
    extensions = {"sni_hostname": hop.host} if hop.scheme == "https" else {}
    # A client per hop: no cookie carried from one site to the next, no proxy or credentials from the environment.
    async with (
        httpx.AsyncClient(timeout=_timeouts(), follow_redirects=False, trust_env=False, verify=_tls()) as client,
        client.stream("GET", hop.target(), headers=headers, extensions=extensions) as answer,
    ):
        if answer.is_redirect and "location" in answer.headers:
            return urljoin(hop.url, answer.headers["location"])
        if answer.status_code != 200:
            raise Refused(f"{hop.url} answered {answer.status_code}")
        content_type, charset = _media_type(answer.headers.get("content-type", ""))
        if not any(content_type.startswith(kind) if kind.endswith("/") else content_type == kind for kind in accept):
            raise Refused(f"{hop.url} is {content_type or 'of no type'}, not {', '.join(accept)}")
        declared = answer.headers.get("content-length", "")
        encoding = answer.headers.get("content-encoding", "").strip().lower()
        if declared.isdigit() and int(declared) > max_bytes and encoding in ("", "identity"):
            raise Refused(f"{hop.url} is {declared} bytes, over {max_bytes}")
        decoder = _Decoder(encoding, max_bytes)
        async for chunk in answer.aiter_raw():
            decoder.feed(chunk)
        return Fetched(hop.url, content_type, charset, bytes(decoder.body))


async def fetch(
    url: str, accept: tuple[str, ...], max_bytes: int, host_allowed: Callable[[str], bool] = lambda host: True
) -> Fetched:
    """GET `url` within the guard (see the module's docstring): its answer, if it is of a type `accept` names
    (a media type, or a prefix ending in "/") and at most `max_bytes` once decoded; Refused otherwise."""
    try:
        async with asyncio.timeout(settings.LINK_PREVIEW_TIMEOUT_SECONDS):
            for _ in range(settings.LINK_PREVIEW_MAX_REDIRECTS + 1):
                got = await _get(await vet(url, host_allowed), accept, max_bytes)
                if isinstance(got, Fetched):
                    return got
                url = got
    except TimeoutError:
        raise Refused(f"{url} took over {settings.LINK_PREVIEW_TIMEOUT_SECONDS} s") from None
    except httpx.HTTPError as error:
        raise Refused(f"{url}: {error!r}") from None
    raise Refused(f"more than {settings.LINK_PREVIEW_MAX_REDIRECTS} redirects")
