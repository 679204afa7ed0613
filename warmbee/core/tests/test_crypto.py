import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from warmbee.accounts.models import Role, User
from warmbee.core.crypto import decrypt, encrypt, keyed_hash
from warmbee.factories import make_user


def test_encrypts_to_different_tokens_that_decrypt_to_the_plaintext():
    first, second = encrypt("13812345678"), encrypt("13812345678")
    assert first != second
    assert "13812345678" not in first
    assert decrypt(first) == decrypt(second) == "13812345678"


def test_keyed_hash_is_stable_and_depends_on_the_key(settings):
    one = keyed_hash("13812345678")
    assert keyed_hash("13812345678") == one
    settings.FIELD_HASH_KEY = "another-key"
    assert keyed_hash("13812345678") != one


@pytest.mark.django_db
def test_rotating_keys_re_encrypts_every_row_under_the_new_key(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    user = make_user(Role.WORKER, phone="13812345678")
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_field_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
        (token,) = cursor.fetchone()
    assert Fernet(new_key.encode()).decrypt(token.encode()).decode() == "13812345678"
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key can now be dropped
    assert User.objects.get(pk=user.pk).phone == "13812345678"


def test_deploy_check_warns_about_development_keys(settings):
    from warmbee.core.checks import check_field_keys

    assert [message.id for message in check_field_keys(None)] == [
        "warmbee.W001",
        "warmbee.W002",
    ]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.FIELD_HASH_KEY = "a-long-random-production-hash-key"
    assert check_field_keys(None) == []


def test_deploy_check_refuses_the_console_sms_backend_in_production(settings):
    from warmbee.core.checks import check_sms_backend

    settings.DEBUG = False
    settings.SMS_BACKEND = "warmbee.accounts.sms.ConsoleSmsBackend"
    assert [message.id for message in check_sms_backend(None)] == ["warmbee.E001"]
    settings.SMS_BACKEND = "warmbee.accounts.sms.LocmemSmsBackend"
    assert check_sms_backend(None) == []
