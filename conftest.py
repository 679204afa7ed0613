"""Project-wide pytest configuration."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture(autouse=True)
def _networks_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Road networks (the demo's generated one too) are written to a temporary folder."""
    settings.NETWORK_DIR = tmp_path / "networks"


@pytest.fixture(autouse=True)
def _default_language():  # type: ignore[no-untyped-def]
    """Start every test in Chinese: a request in another language must not leak over."""
    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Argon2 is slow on purpose; tests that check the hasher switch it back."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _sms_to_outbox(settings):  # type: ignore[no-untyped-def]
    """Text messages go to warmbee.accounts.sms.outbox, never to a console or provider."""
    from warmbee.accounts import sms

    settings.SMS_BACKEND = "warmbee.accounts.sms.LocmemSmsBackend"
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    """Each test starts with an empty cache (rate-limit counters, cached catalogue)."""
    from django.core.cache import cache

    cache.clear()
