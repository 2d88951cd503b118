from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0012_salon_keys"),
        ("notices", "0003_notice_source"),
        ("salons", "0013_retention"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="noticeread",
            name="notice_read_once",
        ),
        migrations.AddConstraint(
            model_name="noticeread",
            constraint=models.UniqueConstraint(
                fields=("salon", "notice", "customer"), name="notice_read_once"
            ),
        ),
    ]
