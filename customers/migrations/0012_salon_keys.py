from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0011_birthday_md"),
        ("salons", "0013_retention"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="duplicatepair",
            name="duplicate_pair_once",
        ),
        migrations.AddConstraint(
            model_name="duplicatepair",
            constraint=models.UniqueConstraint(
                fields=("salon", "first", "second"), name="duplicate_pair_once"
            ),
        ),
    ]
