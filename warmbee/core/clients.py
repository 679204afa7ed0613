"""Who is asking: the client's address, through the trusted-proxy setting."""

from axes.helpers import get_client_ip_address
from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str | None:
    """Return the client's IP address (X-Forwarded-For only behind trusted proxies)."""
    if request is None:
        return None
    address = get_client_ip_address(request)
    return str(address) if address else None
