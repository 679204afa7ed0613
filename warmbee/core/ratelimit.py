"""A small fixed-window rate limit kept in the cache (shared through Redis in production)."""

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from warmbee.core.errors import DomainError


class RateLimitedError(DomainError):
    status_code = 429
    code = "rate_limited"
    message = _("Too many requests from your network. Please wait a few minutes.")


def check_rate(scope: str, client: str | None, *, limit: int, window_s: int) -> None:
    """Count one request of ``client`` in ``scope``; raise RateLimitedError past ``limit``."""
    if not client:
        return
    key = f"ratelimit:{scope}:{client}"
    cache.add(key, 0, timeout=window_s)
    if cache.incr(key) > limit:
        raise RateLimitedError()
