"""Convert Django REST framework's plain-text tokens (`authtoken_token`) into hashed tokens.

Each key becomes an `ApiToken` with the key's digest and first 12 characters, named
"Converted authtoken", made when the old one was and expiring `API_TOKEN_MAX_AGE_DAYS` later
(as the old ones did), so clients keep working without a change. The old table is then
emptied: the plain-text keys are gone, the table itself (of an app no longer installed) is
left for the operator to drop. Unapplying it does nothing: keys are not recoverable from digests.

Raw SQL, because `rest_framework.authtoken` is no longer in INSTALLED_APPS; a database that
never had it (a new install) has no such table and nothing to do.
"""

import hashlib
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import migrations
from django.utils.dateparse import parse_datetime

OLD_TABLE = "authtoken_token"
NAME = "Converted authtoken"


def _aware(value) -> datetime:
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def convert_authtoken_keys(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("tokens", "ApiToken")
    table = connection.ops.quote_name(OLD_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "key", "created", "user_id" FROM {table}')  # noqa: S608
        rows = cursor.fetchall()
    max_age = timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            name=NAME,
            prefix=key[:12],
            digest=hashlib.sha256(key.encode()).hexdigest(),
            created_at=_aware(created),
            expires_at=_aware(created) + max_age,
        )
        for key, created, user_id in rows
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("tokens", "0001_initial")]

    operations = [
        migrations.RunPython(convert_authtoken_keys, migrations.RunPython.noop, elidable=True)
    ]
