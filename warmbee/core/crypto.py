"""Encryption at rest for sensitive fields, and keyed hashes to look them up.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the keys in
``FIELD_ENCRYPTION_KEYS``: the first key encrypts, every key decrypts, so a key is rotated
by putting a new one first and running ``manage.py rotate_field_keys``. Lookups (is this
phone number registered?) use an HMAC-SHA256 of the normalised value under
``FIELD_HASH_KEY``, so the plaintext is never needed in a query.
"""

import hashlib
import hmac
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _fernet() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty")
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A field cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS"
        ) from error


def rotate(token: str) -> str:
    """Return ``token`` re-encrypted under the first (current) key."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


def keyed_hash(value: str) -> str:
    """Return the hex HMAC-SHA256 of ``value`` for equality lookups."""
    key = settings.FIELD_HASH_KEY.encode("utf-8")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]  # stubs generic
    """A text field stored encrypted; empty strings are stored as they are."""

    def from_db_value(
        self, value: str | None, expression: Any, connection: Any
    ) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
