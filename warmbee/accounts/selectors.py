"""Reads of accounts."""

from typing import Any

from django.http import HttpRequest

from warmbee.accounts.models import phone_lookup_hash


def login_attempt_key(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Return what django-axes records for a log-in attempt: the number's keyed hash."""
    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    return phone_lookup_hash(str(typed))[:32]
