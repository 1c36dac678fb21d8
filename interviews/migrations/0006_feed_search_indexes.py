"""The full-text search index of the public feed's `q`, on PostgreSQL only.

Messages are where the volume is (a million rows and more); interviews are few per message and are
filtered by the feed's partial index first. The expression is exactly what
`SearchVector("content", config="simple")` compiles to, so the planner uses this GIN index for the
feed's search (interviews.selectors._search). "simple" does no stemming, which suits a corpus of
English and Korean alike. SQLite has no such index; the feed falls back to a containment search there.
"""

from django.db import migrations

INDEXES = {
    "message_content_search_idx": ("interviews_message", "content"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (to_tsvector('simple'::regconfig, COALESCE({column}, '')))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("interviews", "0005_privacy_moderation_report_usage")]

    operations = [migrations.RunPython(create, drop)]
