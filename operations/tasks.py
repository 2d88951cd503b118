"""The operator's nightly housekeeping."""

from django.core.management import call_command
from huey import crontab

from common.tasks import periodic_task


# 04:17 in Japan (the queue keeps UTC): when no salon is open.
@periodic_task(crontab(minute="17", hour="19"))
def uploads_purge_unused() -> None:
    call_command("purge_unused_uploads")
