"""Name, kana and phone search served by trigram indexes on PostgreSQL, and the last-visit order
of the customer list by an index of its own.

The search is a partial match (LIKE '%…%'), which no B-tree index can serve; pg_trgm's GIN
indexes can, for a query of three characters or more. SQLite keeps scanning the salon's rows.
"""

from django.db import migrations

TRIGRAM_INDEXES = {
    "customer_search_trgm": "search_text",
    "customer_phone_trgm": "phone_digits",
}
VISIT_ORDER = (
    "CREATE INDEX IF NOT EXISTS customer_active_visit ON customers_customer "
    "(salon_id, last_visit_on DESC NULLS LAST, kana_sort, id) WHERE archived_at IS NULL"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON customers_customer USING gin ({column} gin_trgm_ops)"
        )
    schema_editor.execute(VISIT_ORDER)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [*TRIGRAM_INDEXES, "customer_active_visit"]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_active_list_index")]

    operations = [migrations.RunPython(create, drop)]
