"""Phone numbers stored in one form (common.text.normalize_phone), as the form now saves them:
full-width digits, the long-vowel mark ー and spaces typed as separators become 090-1234-5678.
A number that cannot be read as one is left exactly as it was typed."""

from django.db import migrations

from common.text import digits_only, normalize_phone

BATCH = 2000


def normalise(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    rows = Customer.objects.exclude(phone="").order_by("pk")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last).only("pk", "phone", "phone_digits")[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        changed = []
        for customer in batch:
            try:
                phone = normalize_phone(customer.phone)
            except ValueError:
                continue
            if phone != customer.phone:
                customer.phone, customer.phone_digits = phone, digits_only(phone)
                changed.append(customer)
        Customer.objects.bulk_update(changed, ["phone", "phone_digits"])


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_search_short_queries")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
