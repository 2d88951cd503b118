import os
import tempfile
from typing import Any

from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class AtomicFileSystemStorage(FileSystemStorage):
    """Local storage that never leaves a half-written file under a real name.

    Each file is written under a temporary name in the target folder, flushed to
    disk, then renamed into place, so a crash mid-upload leaves at most a stray
    temporary file and never a truncated photo that a database row points at.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("base_url", None)
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    def url(self, name: str | None) -> str:
        # Nothing in storage is public: photos go out only through views that check permission.
        raise NotImplementedError("Private storage has no public URLs.")

    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, mode=self.directory_permissions_mode or 0o700, exist_ok=True)
        name = self.get_available_name(name)
        full_path = self.path(name)
        fd, tmp_path = tempfile.mkstemp(dir=directory, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                if hasattr(content, "seek"):
                    content.seek(0)
                for chunk in content.chunks():
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(tmp_path, self.file_permissions_mode)
            # os.link refuses to replace an existing file, which keeps names unique even under a race.
            os.link(tmp_path, full_path)
        finally:
            if os.path.exists(tmp_path):
                os.unlink(tmp_path)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return str(name).replace("\\", "/")


class StaticStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """Static files under hashed names, with .gz and .br copies (collectstatic, production).

    The JavaScript modules import each other by relative path; those imports are rewritten to the
    hashed names too, so every module can be cached for good like the rest.
    """

    support_js_module_import_aggregation = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Our own modules only: the packages under vendor/ come as built and are left as they are.
        inherited: dict[str, Any] = self._patterns  # type: ignore[has-type]
        self._patterns = {
            ("js/*.js" if extension == "*.js" else extension): patterns
            for extension, patterns in inherited.items()
        }
