"""Resident ID numbers: check the form and check digit, and the keyed hash for lookups."""

import re

from warmbee.core.crypto import keyed_hash
from warmbee.workers import errors

ID_NUMBER_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_NUMBER_CHECK_CHARS = "10X98765432"


def check_id_number(raw: str) -> str:
    """Return a resident ID number in upper case ("" if none), checking its check digit."""
    number = re.sub(r"\s", "", raw).upper()
    if not number:
        return ""
    if not re.fullmatch(r"[1-9][0-9]{16}[0-9X]", number):
        raise errors.InvalidIdNumberError()
    weighted = zip(number, ID_NUMBER_WEIGHTS, strict=False)
    total = sum(int(digit) * weight for digit, weight in weighted)
    if ID_NUMBER_CHECK_CHARS[total % 11] != number[-1]:
        raise errors.InvalidIdNumberError()
    return number


def id_number_lookup_hash(number: str) -> str:
    return keyed_hash(f"id:{number}") if number else ""
