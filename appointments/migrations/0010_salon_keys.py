import common.fields
import django.db.models.deletion
from django.db import migrations, models


def feeds_salon(apps, schema_editor):
    """Each calendar feed belongs to its staff member's salon."""
    CalendarFeed = apps.get_model("appointments", "CalendarFeed")
    StaffMember = apps.get_model("salons", "StaffMember")
    for feed in CalendarFeed.objects.filter(salon__isnull=True).iterator():
        feed.salon_id = StaffMember.objects.values_list("salon_id", flat=True).get(pk=feed.member_id)
        feed.save(update_fields=["salon"])


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0009_appointment_appointment_salon_made"),
        ("salons", "0013_retention"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="shiftexception",
            name="shift_exception_once_a_day",
        ),
        migrations.RemoveConstraint(
            model_name="staffshift",
            name="shift_once_a_weekday",
        ),
        migrations.AddField(
            model_name="calendarfeed",
            name="salon",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="salons.salon"
            ),
        ),
        migrations.RunPython(feeds_salon, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="calendarfeed",
            name="salon",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="salons.salon"
            ),
        ),
        migrations.AlterField(
            model_name="calendarfeed",
            name="member",
            field=common.fields.SalonOneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="calendar_feed",
                to="salons.staffmember",
            ),
        ),
        migrations.AlterField(
            model_name="calendarfeed",
            name="token_sha256",
            field=models.CharField(db_index=True, max_length=64),
        ),
        migrations.AddConstraint(
            model_name="calendarfeed",
            constraint=models.UniqueConstraint(fields=("salon", "member"), name="calendar_feed_once"),
        ),
        migrations.AddConstraint(
            model_name="calendarfeed",
            constraint=models.UniqueConstraint(
                fields=("salon", "token_sha256"), name="calendar_feed_token_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="shiftexception",
            constraint=models.UniqueConstraint(
                fields=("salon", "member", "date"), name="shift_exception_once_a_day"
            ),
        ),
        migrations.AddConstraint(
            model_name="staffshift",
            constraint=models.UniqueConstraint(
                fields=("salon", "member", "weekday"), name="shift_once_a_weekday"
            ),
        ),
    ]
