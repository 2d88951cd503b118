import common.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0012_salon_keys"),
        ("followups", "0001_initial"),
        ("notices", "0003_notice_source"),
        ("salons", "0013_retention"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="followup",
            name="notice",
            field=common.fields.SalonOneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="notices.notice",
            ),
        ),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.UniqueConstraint(fields=("salon", "notice"), name="followup_notice_once"),
        ),
    ]
