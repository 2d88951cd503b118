import common.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kartes", "0010_karte_karte_changed"),
        ("salons", "0013_retention"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="karteitem",
            name="image",
            field=common.fields.SalonOneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="item",
                to="kartes.imageasset",
            ),
        ),
        migrations.AddConstraint(
            model_name="karteitem",
            constraint=models.UniqueConstraint(fields=("salon", "image"), name="item_image_once"),
        ),
    ]
