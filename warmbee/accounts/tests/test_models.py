"""Mobile numbers are encrypted at rest and found through their keyed hash."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from warmbee.accounts.models import Role, User, normalise_phone, phone_lookup_hash
from warmbee.core.crypto import decrypt
from warmbee.factories import make_user

pytestmark = pytest.mark.django_db


def _raw_row(user: User) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, phone_hash FROM accounts_user WHERE id = %s", [user.pk]
        )
        return cursor.fetchone()


def test_the_database_row_holds_no_plaintext_number():
    user = make_user(Role.WORKER, phone="13812345678")
    stored_phone, stored_hash = _raw_row(user)
    assert "13812345678" not in stored_phone
    assert "5678" not in stored_hash
    assert decrypt(stored_phone) == "13812345678"
    assert stored_hash == phone_lookup_hash("13812345678")


def test_log_in_lookup_finds_the_user_by_number_typed_any_way():
    user = make_user(Role.WORKER, phone="13812345678")
    assert User.objects.get_by_natural_key("138 1234 5678") == user
    assert User.objects.get_by_natural_key("+86 138-1234-5678") == user
    assert User.objects.find_by_phone("13900000000") is None


def test_changing_the_number_moves_the_lookup_hash_with_it():
    user = make_user(Role.WORKER, phone="13812345678")
    user.phone = "13987654321"
    user.save(update_fields=["phone"])
    assert User.objects.find_by_phone("13987654321") == user
    assert User.objects.find_by_phone("13812345678") is None


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("13812345678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("86 138 1234 5678", "13812345678"),
        ("(138)1234-5678", "13812345678"),
    ],
)
def test_normalise_phone(typed, digits):
    assert normalise_phone(typed) == digits


def test_a_second_user_with_the_same_number_is_refused():
    make_user(Role.WORKER, phone="13812345678")
    with pytest.raises(ValidationError) as caught:
        User.objects.create_user("138 1234 5678", "x-password-1")
    assert list(caught.value.message_dict) == ["phone_hash"]
    assert User.objects.count() == 1
