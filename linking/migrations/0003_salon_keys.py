import common.fields
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0012_salon_keys"),
        ("linking", "0002_one_scan"),
        ("salons", "0013_retention"),
    ]

    operations = [
        migrations.AlterField(
            model_name="device",
            name="credential_hash",
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name="linkcode",
            name="code_hash",
            field=models.CharField(db_index=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="linkcode",
            name="device",
            field=common.fields.SalonOneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="linking.device",
            ),
        ),
        migrations.AddConstraint(
            model_name="device",
            constraint=models.UniqueConstraint(
                fields=("salon", "credential_hash"), name="device_credential_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="linkcode",
            constraint=models.UniqueConstraint(fields=("salon", "code_hash"), name="link_code_once"),
        ),
        migrations.AddConstraint(
            model_name="linkcode",
            constraint=models.UniqueConstraint(fields=("salon", "device"), name="link_code_device_once"),
        ),
    ]
