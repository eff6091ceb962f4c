"""Webhook target URLs: which ones may be called at all (docs/reliability.md G3).

Kept apart from `articles.published.webhooks` (and free of model imports) so that the model
field can use the validator. Checked when a subscription is saved and again before every delivery,
because a public host name may later be re-pointed at a private address.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def webhook_url_addresses(url: str) -> tuple[str, int, list[IPAddress]]:
    """Validate `url` and return (host, port, resolved addresses), all of them allowed.

    Raises `ValidationError` with code `url_not_allowed` for a scheme other than https (and
    http where `WEBHOOK_ALLOW_HTTP` is on), a missing host, a host that does not resolve, or a
    host with any address that is not public (private, loopback, link-local, reserved,
    IPv4-mapped forms of those) unless it lies in `WEBHOOK_ALLOWED_NETWORKS`. Does one DNS
    look-up.
    """
    parts = urlsplit(url)
    schemes = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in schemes:
        raise ValidationError(
            _("Webhook URLs must start with %(schemes)s.") % {"schemes": " or ".join(schemes)},
            code="url_not_allowed",
        )
    if parts.username or parts.password:
        raise ValidationError(
            _("Webhook URLs may not contain a user name or password."), code="url_not_allowed"
        )
    host = parts.hostname
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise ValidationError(_("The port number is not valid."), code="url_not_allowed") from exc
    if not host:
        raise ValidationError(_("The URL has no host name."), code="url_not_allowed")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError(
            _("The host %(host)s cannot be resolved.") % {"host": host}, code="url_not_allowed"
        ) from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    allowed = [ipaddress.ip_network(net) for net in settings.WEBHOOK_ALLOWED_NETWORKS]
    for address in addresses:
        if not _is_allowed(address, allowed):
            raise ValidationError(
                _("The host %(host)s points to a private or reserved address (%(address)s).")
                % {"host": host, "address": address},
                code="url_not_allowed",
            )
    return host, port, addresses


def validate_webhook_url(url: str) -> None:
    """Model-field validator: see `webhook_url_addresses`."""
    webhook_url_addresses(url)


def _is_allowed(address: IPAddress, allowed: list) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address.version == net.version and address in net for net in allowed):
        return True
    return address.is_global and not address.is_multicast


def pinned_connection(url: str, *, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    """An unopened connection for `url` and the path to ask for, pinned to the address that
    passed `webhook_url_addresses` (which raises `ValidationError` for a URL not allowed).

    The socket is opened to that very address, so a DNS answer that changes between check
    and connect (rebinding) cannot reach a private address; HTTPS checks the certificate
    against the host name. Used for webhooks and for the WordPress import's media.
    """
    host, port, addresses = webhook_url_addresses(url)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    address = str(addresses[0])
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = _PinnedHTTPSConnection(
            host, port, address=address, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = _PinnedHTTPConnection(host, port, address=address, timeout=timeout)
    return connection, path


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(
        self, host: str, port: int, *, address: str, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._context = context

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the host name, not the pinned address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
