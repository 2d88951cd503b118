"""On PostgreSQL the database itself refuses two overlapping appointments of one staff member that
both hold the time (booked, arrived, done): an exclusion constraint over the staff member and the
[start, end) range. It needs the btree_gist extension (shipped with PostgreSQL; creating it needs a
role that may create extensions, as the migration's first run does). SQLite has no such constraint:
there the booking transaction, which SQLite runs one at a time, checks before it writes."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE appointments_appointment ADD CONSTRAINT appointment_staff_no_overlap
    EXCLUDE USING gist (staff_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (staff_id IS NOT NULL AND state IN ('booked', 'arrived', 'done'));
"""
DROP = "ALTER TABLE appointments_appointment DROP CONSTRAINT IF EXISTS appointment_staff_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
