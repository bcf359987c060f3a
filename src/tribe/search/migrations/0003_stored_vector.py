from django.db import migrations

from tribe.search.backends import PG_INDEX_CREATE, PG_VEC_CREATE


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_VEC_CREATE:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_doc_vec")
        schema_editor.execute("ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vec")
        schema_editor.execute(PG_INDEX_CREATE)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext_index")]
    operations = [migrations.RunPython(create, drop)]
