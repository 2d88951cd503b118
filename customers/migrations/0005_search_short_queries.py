"""Searches of one or two characters (山田, 佐藤 — most family names in kanji) served by an index.

A trigram index has nothing to look up for a query shorter than three characters, so such a search
read every customer of the salon. This index holds, for each customer, the one- and two-character
pieces of the folded name and kana, each prefixed by the salon's id: a lookup touches that salon's
matches only, however many salons share the table.

The GIN indexes of the search are made without a pending list (fastupdate off): a bulk load of
customers otherwise leaves entries that every search reads linearly until the next vacuum.
"""

from django.db import migrations

GRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION karte_search_grams(salon bigint, folded text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT salon::text || ':' || substr(folded, i, n)), '{}')
    FROM generate_series(1, 2) AS n, generate_series(1, char_length(folded) - n + 1) AS i
$$
"""
GRAMS_INDEX = (
    "CREATE INDEX IF NOT EXISTS customer_search_grams ON customers_customer "
    "USING gin (karte_search_grams(salon_id, search_text)) WITH (fastupdate = off)"
)
TRIGRAM_INDEXES = ["customer_search_trgm", "customer_phone_trgm"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(GRAMS_FUNCTION)
    schema_editor.execute(GRAMS_INDEX)
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} SET (fastupdate = off)")
        schema_editor.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")
    # Statistics of the new expression, without which the planner guesses its matches (an empty
    # table, as in a new installation, has none to gather).
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM customers_customer)")
        if cursor.fetchone()[0]:
            cursor.execute("ANALYZE customers_customer")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} RESET (fastupdate)")
    schema_editor.execute("DROP INDEX IF EXISTS customer_search_grams")
    schema_editor.execute("DROP FUNCTION IF EXISTS karte_search_grams(bigint, text)")


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_search_trigram_indexes")]

    operations = [migrations.RunPython(create, drop)]
