"""purge_unused_uploads removes what nothing uses: unsaved uploads, files no row names (also the
temporary file of a write that was killed), and stale upload spool files; nothing else."""

import io
import os
import time

from django.core.files.storage import default_storage
from django.core.management import call_command

from common.media import stored_names

from .factories import make_karte


def _age(path, hours):
    old = time.time() - hours * 3600
    os.utime(path, (old, old))


def test_orphans_and_stale_spool_files_go_and_everything_in_use_stays(
    salon_a, own_storage, settings, tmp_path
):
    make_karte(salon_a)
    in_use = set(stored_names())
    old_orphan = default_storage.save("originals/aa/orphan-of-a-killed-request", io.BytesIO(b"x" * 100))
    half_written = default_storage.save("originals/bb/.incoming-abc123", io.BytesIO(b"partial"))
    young_orphan = default_storage.save("originals/cc/just-written", io.BytesIO(b"y"))
    _age(default_storage.path(old_orphan), 30)
    _age(default_storage.path(half_written), 30)
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR)
    stale = tmp_path / "spool" / "tmpstale.upload.jpg"
    fresh = tmp_path / "spool" / "tmpfresh.upload.jpg"
    stale.write_bytes(b"s" * 1000)
    fresh.write_bytes(b"f")
    _age(stale, 2)

    out = io.StringIO()
    call_command("purge_unused_uploads", stdout=out)

    assert set(stored_names()) == in_use | {young_orphan}
    assert not stale.exists() and fresh.exists()
    report = out.getvalue()
    assert "Deleted 2 stored file(s) that no row uses." in report
    assert old_orphan in report
    assert "Deleted 1 stale upload spool file(s)." in report
