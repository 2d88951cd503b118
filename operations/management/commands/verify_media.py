from django.core.management.base import BaseCommand, CommandError

from common.media import verify


class Command(BaseCommand):
    help = (
        "Check that every stored photo, logo and signature exists and matches its checksum, and that "
        "every signed sheet still matches its record; list files no row uses."
    )

    def handle(self, *args, **options):
        report = verify()
        sections = [
            ("Missing", report.missing),
            ("Damaged (checksum or size differs)", report.damaged),
            ("Without a checksum", report.unchecked),
            ("Not made yet (the task worker makes these display copies from the originals)", report.pending),
            ("Orphans (no row uses them; purge_unused_uploads removes them)", report.orphans),
            (
                "Records changed since they were sent (a signed sheet no longer matches its SHA-256)",
                report.altered,
            ),
        ]
        for title, names in sections:
            if names:
                self.stdout.write(f"{title}: {len(names)}")
                for name in names:
                    self.stdout.write(f"  {name}")
        self.stdout.write(f"Checked {report.checked} file(s).")
        if not report.ok:
            raise CommandError("Media verification found problems (listed above).")
        self.stdout.write("All files are present and intact.")
