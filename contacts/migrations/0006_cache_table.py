"""The table of Django's database cache, the embedded default when no Redis is configured.

Rate limits count there, shared by every worker (clinic/settings.py). `migrate` creates it, so
every setup path (make run, deployments, tests, CI) has it without `createcachetable`.
"""

from django.core.management import call_command
from django.db import migrations

CACHE_TABLE = "clinic_cache"


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", CACHE_TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0005_crisis_flags")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
