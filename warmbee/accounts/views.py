"""The page shown when log-in attempts are locked out (django-axes calls it)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    # Rendered now, inside the request's language, not lazily after the middleware.
    return render(request, "accounts/locked_out.html", status=429)
