"""Webhook target URLs: which ones may be called at all (docs/reliability.md G3).

Kept apart from `articles.published.webhooks` (and free of model imports) so that the model
field can use the validator. Checked when a subscription is saved and again before every delivery,
because a public host name may later be re-pointed at a private address.
"""

from __future__ import annotations

import ipaddress
import socket
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
