"""Store mobile numbers encrypted, with a keyed hash as the unique log-in key."""

import django.core.validators
from django.db import migrations, models

import warmbee.core.crypto


def encrypt_existing(apps, schema_editor):
    # Encryption needs the project's own cipher: the one place a migration uses app code.
    from warmbee.core.crypto import encrypt, keyed_hash

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, phone FROM accounts_user")
        rows = cursor.fetchall()
        for user_id, phone in rows:
            cursor.execute(
                "UPDATE accounts_user SET phone = %s, phone_hash = %s WHERE id = %s",
                [encrypt(phone), keyed_hash(f"phone:{phone}"), user_id],
            )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_create_users")]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=models.TextField(verbose_name="mobile number"),
        ),
        migrations.AddField(
            model_name="user",
            name="phone_hash",
            field=models.CharField(max_length=64, null=True, editable=False),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=warmbee.core.crypto.EncryptedTextField(
                validators=[
                    django.core.validators.RegexValidator(
                        "^1[3-9][0-9]{9}$",
                        "Enter an 11-digit mainland China mobile number.",
                    )
                ],
                verbose_name="mobile number",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="phone_hash",
            field=models.CharField(
                editable=False, max_length=64, unique=True, verbose_name="mobile number"
            ),
        ),
    ]
