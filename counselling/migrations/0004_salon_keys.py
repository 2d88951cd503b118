from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("counselling", "0003_consent_record"),
        ("salons", "0013_retention"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="sheetlink",
            name="token_hash",
            field=models.CharField(max_length=64),
        ),
        migrations.AddConstraint(
            model_name="sheetlink",
            constraint=models.UniqueConstraint(fields=("salon", "token_hash"), name="sheet_link_once"),
        ),
    ]
