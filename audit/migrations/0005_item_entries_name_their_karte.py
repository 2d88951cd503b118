"""Entries about karte items name the customer and the karte's date, and keep the item's kind as data.

Before, some named only the item ("テキスト #207") and others ended in the kind as written in the
language of whoever acted, so an English reader saw Japanese. The kind is now shown in the reader's
language from the entry's data. Entries whose karte has since been deleted take its name and date
from the karte's own deletion entry.
"""

import re

from django.db import migrations

KIND_WORDS = r"(?:写真|イラスト|テキスト|Photo|Illustration|Text)"
BATCH = 2000


def name_karte(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    Karte = apps.get_model("kartes", "Karte")
    KarteItem = apps.get_model("kartes", "KarteItem")
    entries = AuditEntry.objects.filter(target_type="karteitem").order_by("pk")
    last = 0
    while True:
        batch = list(entries.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        karte_ids = {entry.data.get("karte") for entry in batch if isinstance(entry.data, dict)}
        kartes = {
            karte.pk: f"{karte.customer.name} {karte.treatment_date:%Y-%m-%d}"
            for karte in Karte.objects.filter(pk__in=[pk for pk in karte_ids if pk]).select_related(
                "customer"
            )
        }
        deleted = {
            int(entry.target_id): entry.summary
            for entry in AuditEntry.objects.filter(
                target_type="karte", action="karte.delete", target_id__in=[str(pk) for pk in karte_ids if pk]
            )
        }
        kinds = dict(
            KarteItem.objects.filter(
                pk__in=[int(e.target_id) for e in batch if e.target_id.isdigit()]
            ).values_list("pk", "kind")
        )
        for entry in batch:
            data = entry.data if isinstance(entry.data, dict) else {}
            if not entry.summary:
                continue  # erased with its customer (privacy): stays nameless
            subject = kartes.get(data.get("karte")) or deleted.get(data.get("karte"))
            if subject is None:
                subject = re.sub(rf"\s+{KIND_WORDS}$", "", entry.summary)
            entry.summary = subject[:300]
            if "kind" not in data and entry.target_id.isdigit() and int(entry.target_id) in kinds:
                data["kind"] = kinds[int(entry.target_id)]
            entry.data = data
        AuditEntry.objects.bulk_update(batch, ["summary", "data"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_keyset_index"), ("kartes", "0005_display_sizes")]

    operations = [migrations.RunPython(name_karte, migrations.RunPython.noop)]
