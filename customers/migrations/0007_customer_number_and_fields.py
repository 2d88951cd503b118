"""Customer number, second phone, gender, postcode and address, allergies and cautions.

Customers already kept are numbered 1, 2, 3… per salon in the order they were added."""

from django.db import migrations, models

NUMBER_IN_ORDER = """
UPDATE customers_customer SET number = ordered.n
FROM (
    SELECT id, row_number() OVER (PARTITION BY salon_id ORDER BY created_at, id) AS n
    FROM customers_customer
) AS ordered
WHERE customers_customer.id = ordered.id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0006_one_form_of_phone_number"),
        ("salons", "0004_app_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="address",
            field=models.CharField(blank=True, max_length=200, verbose_name="address"),
        ),
        migrations.AddField(
            model_name="customer",
            name="allergies",
            field=models.TextField(
                blank=True,
                help_text="Shown at the top wherever staff work on this customer. Never shown to the customer.",
                verbose_name="allergies and cautions",
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="gender",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not recorded"),
                    ("female", "Female"),
                    ("male", "Male"),
                    ("other", "Other"),
                    ("no_answer", "Prefers not to say"),
                ],
                default="",
                max_length=16,
                verbose_name="gender",
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="number",
            field=models.PositiveIntegerField(
                blank=True, editable=False, null=True, verbose_name="customer number"
            ),
        ),
        migrations.AddField(
            model_name="customer",
            name="other_phone",
            field=models.CharField(blank=True, max_length=20, verbose_name="other phone"),
        ),
        migrations.AddField(
            model_name="customer",
            name="postcode",
            field=models.CharField(blank=True, max_length=16, verbose_name="postcode"),
        ),
        migrations.AlterField(
            model_name="customer",
            name="phone",
            field=models.CharField(blank=True, max_length=20, verbose_name="mobile phone"),
        ),
        migrations.AlterField(
            model_name="customer",
            name="phone_digits",
            field=models.CharField(default="", editable=False, max_length=41),
        ),
        migrations.RunSQL(NUMBER_IN_ORDER, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(fields=("salon", "number"), name="customer_number_once"),
        ),
    ]
