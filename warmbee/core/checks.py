"""Deployment checks: refuse to look production-ready with development secrets."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

DEVELOPMENT_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LWRvLW5vdC11c2UtMDA="
DEVELOPMENT_HASH_KEY = "dev-only-hash-key-do-not-use"


@register(Tags.security, deploy=True)
def check_field_keys(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if DEVELOPMENT_FIELD_KEY in settings.FIELD_ENCRYPTION_KEYS:
        problems.append(
            Warning(
                "FIELD_ENCRYPTION_KEYS holds the development key.",
                hint="Generate one with cryptography.fernet.Fernet.generate_key().",
                id="warmbee.W001",
            )
        )
    if settings.FIELD_HASH_KEY == DEVELOPMENT_HASH_KEY:
        problems.append(
            Warning(
                "FIELD_HASH_KEY is the development key.",
                hint="Set a long random FIELD_HASH_KEY; changing it later breaks lookups.",
                id="warmbee.W002",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def check_sms_backend(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.SMS_BACKEND.endswith(".ConsoleSmsBackend") and not settings.DEBUG:
        return [
            Error(
                "SMS_BACKEND is the console backend: one-time codes would be written to "
                "the server's logs instead of being texted.",
                hint="Set SMS_BACKEND to a real provider's backend.",
                id="warmbee.E001",
            )
        ]
    return []
