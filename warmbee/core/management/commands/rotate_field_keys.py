from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Model

from warmbee.core.crypto import EncryptedTextField, rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the first key in FIELD_ENCRYPTION_KEYS. "
        "Run after putting a new key first; remove the old key only afterwards."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for model in apps.get_models():
            columns = [
                field.column
                for field in model._meta.fields
                if isinstance(field, EncryptedTextField)
            ]
            if columns:
                with transaction.atomic():
                    count = _rotate_table(model, columns)
                self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")


def _rotate_table(model: type[Model], columns: list[str]) -> int:
    """Re-encrypt the raw tokens of ``columns``; the ORM would hand back plaintext."""
    quote = connection.ops.quote_name
    table, pk_column = quote(model._meta.db_table), quote(model._meta.pk.column)
    names = ", ".join(quote(column) for column in columns)
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    # Table and column names come from the models, never from input.
    select = f"SELECT {pk_column}, {names} FROM {table}"  # noqa: S608
    update = f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(select)
        rows = cursor.fetchall()
        for pk, *tokens in rows:
            cursor.execute(
                update, [rotate(token) if token else token for token in tokens] + [pk]
            )
    return len(rows)
