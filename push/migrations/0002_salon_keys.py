import common.fields
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("linking", "0003_salon_keys"),
        ("notices", "0004_salon_keys"),
        ("push", "0001_initial"),
        ("salons", "0013_retention"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="pushdelivery",
            name="push_once_per_phone",
        ),
        migrations.AlterField(
            model_name="noticepush",
            name="notice",
            field=common.fields.SalonOneToOneField(
                on_delete=django.db.models.deletion.CASCADE, related_name="push", to="notices.notice"
            ),
        ),
        migrations.AlterField(
            model_name="pushsubscription",
            name="device",
            field=common.fields.SalonOneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="push_subscription",
                to="linking.device",
            ),
        ),
        migrations.AddConstraint(
            model_name="noticepush",
            constraint=models.UniqueConstraint(fields=("salon", "notice"), name="notice_push_once"),
        ),
        migrations.AddConstraint(
            model_name="pushdelivery",
            constraint=models.UniqueConstraint(
                fields=("salon", "notice", "device"), name="push_once_per_phone"
            ),
        ),
        migrations.AddConstraint(
            model_name="pushsubscription",
            constraint=models.UniqueConstraint(fields=("salon", "device"), name="push_subscription_once"),
        ),
    ]
