from django.db import models


class ScheduledRun(models.Model):
    """The latest time each scheduled job was started for: however many workers run the schedule
    (each enqueues every job at its time), the first to claim a time runs the job and the others
    skip it (common.tasks)."""

    name = models.CharField(max_length=100, unique=True)
    slot = models.DateTimeField()
    started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.slot:%Y-%m-%d %H:%M}"
