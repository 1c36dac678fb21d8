"""Usernames become unique by their canonical key (accounts.usernames), not by LOWER(username).

LOWER() let `kıwi1` register beside `kiwi1` (and SQLite's LOWER() folds ASCII only), and nothing
stopped Cyrillic look-alikes. The key folds case the Unicode way, applies NFKC and maps look-alike
letters, and a unique constraint on it makes the database the last word under a race.

The backfill imports `username_key` rather than freezing a copy: the keys must be the ones the
running code computes (save(), the login lookup), so a database migrated later, by newer code, must
get the newer function's keys. Whoever changes that function adds a migration that recomputes the
keys the same way (and keeps the function importable under this name).

Rows that already collide (look-alikes registered before this migration) cannot be merged or
renamed behind their owners' backs: the oldest keeps the key, each later one gets `key#<id>`, which
no typed name produces (`#` is not allowed in usernames), and still logs in by its exact name.
"""

from django.db import migrations, models

import accounts.models
from accounts.usernames import username_key


def fill_username_keys(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    taken: set[str] = set()
    batch = []
    for user in User.objects.order_by("pk").only("pk", "username").iterator(chunk_size=2000):
        key = username_key(user.username)
        user.username_key = key if key not in taken else f"{key}#{user.pk}"
        taken.add(key)
        batch.append(user)
        if len(batch) >= 2000:
            User.objects.bulk_update(batch, ["username_key"])
            batch = []
    User.objects.bulk_update(batch, ["username_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_compat_token_username_key_tokens_valid_after"),
    ]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", accounts.models.UserManager()),
            ],
        ),
        migrations.AlterField(
            model_name="user",
            name="username_key",
            field=models.CharField(blank=True, editable=False, max_length=600, null=True),
        ),
        migrations.RunPython(fill_username_keys, migrations.RunPython.noop, elidable=False),
        migrations.RemoveConstraint(
            model_name="user",
            name="accounts_user_username_ci_unique",
        ),
        migrations.AlterField(
            model_name="user",
            name="username_key",
            field=models.CharField(editable=False, max_length=600),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(fields=("username_key",), name="accounts_user_username_key_unique"),
        ),
    ]
